"use client";

import { useQuery } from "@tanstack/react-query";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { teamAccessQuery } from "@/lib/queries/access";

/** Clusters x namespaces the team can see right now, as the server resolves its grants. */
export function AccessPreview({ teamId }: { teamId: string }) {
  const query = useQuery(teamAccessQuery(teamId));
  return (
    <Section title="What this team can see">
      <QueryState isPending={query.isPending} error={query.error} label="Access">
        {query.data?.clusters.length === 0 ? (
          <p className="text-sm text-slate-500">No cluster: the team&apos;s grants match nothing yet.</p>
        ) : (
          <table className="min-w-full text-sm">
            <thead className="text-left text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="py-1 pr-4">
                  Cluster
                </th>
                <th scope="col" className="py-1 pr-4">
                  Level
                </th>
                <th scope="col" className="py-1 pr-4">
                  Secrets
                </th>
                <th scope="col" className="py-1">
                  Namespaces
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {query.data?.clusters.map((row) => (
                <tr key={row.id} data-testid={`access-${row.name}`} className="align-top">
                  <td className="py-2 pr-4 font-medium">{row.name}</td>
                  <td className="py-2 pr-4">
                    {row.level}
                    {row.clusterScoped ? " (+ cluster-scoped)" : ""}
                  </td>
                  <td className="py-2 pr-4">{row.secrets}</td>
                  <td className="py-2 font-mono text-xs">
                    {row.namespaces === null ? (
                      <span className="font-sans text-amber-800">
                        cluster did not answer ({row.error}); patterns: {row.patterns.join(", ")}
                      </span>
                    ) : row.namespaces.length ? (
                      row.namespaces.join(", ")
                    ) : (
                      <span className="font-sans text-slate-500">
                        no existing namespace matches {row.patterns.join(", ")}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </Section>
  );
}
