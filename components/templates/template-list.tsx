"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { OwnerTeamBadge } from "@/components/teams/owner-team-badge";
import { EmptyState } from "@/components/ui/empty-state";
import { QueryState } from "@/components/ui/query-state";
import { templatesQuery } from "@/lib/queries/rollouts";

export function TemplateList() {
  const query = useQuery(templatesQuery());
  return (
    <QueryState isPending={query.isPending} error={query.error} label="Templates">
      {query.data?.length === 0 ? (
        <EmptyState
          title="No templates yet"
          description="A template is a parameter schema plus the Kubernetes objects it renders to, per cluster."
          action={
            <Link href="/templates/new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white">
              New template
            </Link>
          }
        />
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
          {query.data?.map((t) => (
            <li key={t.id} data-testid={`template-${t.name}`} className="flex items-center justify-between px-4 py-3">
              <div>
                <div className="flex flex-wrap items-center gap-2">
                  <Link href={`/templates/${t.id}`} className="font-medium text-indigo-700 hover:underline">
                    {t.name}
                  </Link>
                  <OwnerTeamBadge team={t.team} />
                </div>
                {t.description ? <p className="text-sm text-slate-600">{t.description}</p> : null}
              </div>
              <span className="text-sm text-slate-500">revision {t.latestRevision}</span>
            </li>
          ))}
        </ul>
      )}
    </QueryState>
  );
}
