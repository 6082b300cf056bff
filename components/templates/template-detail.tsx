"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { OwnerTeamBadge } from "@/components/teams/owner-team-badge";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { fetchRevisionDiff, type TemplateView } from "@/lib/api/rollouts";
import { revisionQuery } from "@/lib/queries/rollouts";
import { TemplateEditor } from "./template-editor";

export function TemplateDetail({ template }: { template: TemplateView }) {
  const [viewing, setViewing] = useState(template.latest.number);
  const [compareTo, setCompareTo] = useState<number | null>(
    template.revisions.length > 1 ? template.latest.number - 1 : null,
  );
  const [editing, setEditing] = useState(false);
  const revision = useQuery(revisionQuery(template.id, viewing));
  const diff = useQuery({
    queryKey: ["templates", template.id, "diff", compareTo, viewing],
    queryFn: () => fetchRevisionDiff(template.id, compareTo!, viewing),
    enabled: compareTo !== null && compareTo !== viewing,
  });

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-2">
        <Link
          href={`/rollouts/new?template=${template.id}&revision=${viewing}`}
          className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
        >
          Roll out revision {viewing}
        </Link>
        <button
          type="button"
          onClick={() => setEditing((v) => !v)}
          className="rounded-md px-3 py-2 text-sm font-semibold ring-1 ring-slate-300 hover:bg-white"
        >
          {editing ? "Close editor" : "Edit (new revision)"}
        </button>
        <span className="ml-auto">
          <OwnerTeamBadge team={template.team} />
        </span>
      </div>
      {editing ? (
        <Section title="New revision">
          <TemplateEditor templateId={template.id} initial={template.latest} />
        </Section>
      ) : null}
      <Section title="Revisions">
        <ul className="divide-y divide-slate-100 text-sm">
          {template.revisions.map((r) => (
            <li key={r.number} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <div>
                <span className="font-semibold">#{r.number}</span>{" "}
                {r.message || <span className="text-slate-500">no note</span>}
                <span className="ml-2 text-xs text-slate-500">
                  {r.authorEmail} · {new Date(r.createdAt).toLocaleString()}
                </span>
              </div>
              <div className="flex gap-2 text-xs">
                <button type="button" className="text-indigo-700 hover:underline" onClick={() => setViewing(r.number)}>
                  View
                </button>
                <button
                  type="button"
                  className="text-indigo-700 hover:underline"
                  onClick={() => setCompareTo(r.number)}
                >
                  Diff against
                </button>
              </div>
            </li>
          ))}
        </ul>
      </Section>
      {compareTo !== null && compareTo !== viewing ? (
        <Section title={`Changes from revision ${compareTo} to ${viewing}`}>
          <QueryState isPending={diff.isPending} error={diff.error} label="Diff">
            <pre className="max-h-96 overflow-auto rounded bg-slate-50 p-3 text-xs">
              {(diff.data ?? "").split("\n").map((line, index) => (
                <span
                  key={index}
                  className={
                    line.startsWith("+")
                      ? "block text-emerald-700"
                      : line.startsWith("-")
                        ? "block text-red-700"
                        : "block text-slate-600"
                  }
                >
                  {line || " "}
                </span>
              ))}
            </pre>
          </QueryState>
        </Section>
      ) : null}
      <Section title={`Revision ${viewing}`}>
        <QueryState isPending={revision.isPending} error={revision.error} label="Revision">
          <pre className="theme-island max-h-[32rem] overflow-auto rounded bg-slate-950 p-3 text-xs text-slate-100">
            {revision.data?.body}
          </pre>
          <p className="mt-3 text-xs font-semibold">Parameters</p>
          <pre className="mt-1 overflow-auto rounded bg-slate-50 p-3 text-xs">
            {JSON.stringify(revision.data?.schema, null, 2)}
          </pre>
        </QueryState>
      </Section>
    </div>
  );
}
