"use client";

import { useQuery } from "@tanstack/react-query";
import { QueryState } from "@/components/ui/query-state";
import { ALL_KINDS, KINDS } from "@/lib/k8s/kinds";
import { namespaceSummaryQuery } from "@/lib/queries/inventory";

export function NamespaceSummary({ clusterId, onPick }: { clusterId: string; onPick: (namespace: string) => void }) {
  const summary = useQuery(namespaceSummaryQuery(clusterId));
  return (
    <QueryState isPending={summary.isPending} error={summary.error} label="Namespaces">
      {summary.data ? (
        <div className="overflow-x-auto">
          {summary.data.incomplete.length ? (
            <p className="mb-2 text-xs text-amber-800">Not yet listed: {summary.data.incomplete.join(", ")}</p>
          ) : null}
          <table className="min-w-full text-xs">
            <thead className="text-left text-slate-500">
              <tr>
                <th scope="col" className="py-1 pr-3">
                  Namespace
                </th>
                {ALL_KINDS.map((kind) => (
                  <th key={kind} scope="col" className="py-1 pr-3 text-right">
                    {KINDS[kind].kind}s
                  </th>
                ))}
                <th scope="col" className="py-1 text-right">
                  Unhealthy
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {summary.data.namespaces.map((ns) => (
                <tr key={ns.name}>
                  <td className="py-1 pr-3">
                    <button type="button" className="text-indigo-700 hover:underline" onClick={() => onPick(ns.name)}>
                      {ns.name}
                    </button>
                  </td>
                  {ALL_KINDS.map((kind) => (
                    <td key={kind} className="py-1 pr-3 text-right tabular-nums">
                      {ns.counts[kind] ?? 0}
                    </td>
                  ))}
                  <td className={`py-1 text-right tabular-nums ${ns.unhealthy ? "font-semibold text-red-700" : ""}`}>
                    {ns.unhealthy}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </QueryState>
  );
}
