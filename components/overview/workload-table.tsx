import Link from "next/link";
import { overviewLinks } from "@/lib/api/overview";
import type { OverviewClusterRow } from "@/lib/api/overview-types";
import { HEALTH_STATES } from "@/lib/k8s/kinds";
import { HEALTH_LABELS } from "./health-colors";

/** The heat map as text: one row per cluster, every count a link to the inventory behind it. */
export function WorkloadTable({ clusters }: { clusters: OverviewClusterRow[] }) {
  return (
    <div className="mt-2 max-h-[28rem] overflow-auto">
      <table className="min-w-full text-sm" aria-label="Workloads by health per cluster">
        <thead className="sticky top-0 bg-white text-left text-xs text-slate-600">
          <tr>
            <th scope="col" className="px-2 py-1">
              Cluster
            </th>
            {HEALTH_STATES.map((state) => (
              <th key={state} scope="col" className="px-2 py-1 text-right">
                {HEALTH_LABELS[state]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {clusters.map((cluster) => (
            <tr key={cluster.id} data-cluster={cluster.name}>
              <th scope="row" className="px-2 py-1 text-left font-medium">
                <Link
                  href={overviewLinks.workloads(undefined, cluster.name)}
                  className="text-indigo-700 hover:underline"
                >
                  {cluster.name}
                </Link>
                {cluster.inventory !== "ok" ? (
                  <span className="ml-2 text-xs text-red-700">({cluster.inventory.replace("_", " ")})</span>
                ) : null}
              </th>
              {HEALTH_STATES.map((state) => (
                <td key={state} className="px-2 py-1 text-right tabular-nums" data-health={state}>
                  <Link href={overviewLinks.workloads(state, cluster.name)} className="text-slate-900 hover:underline">
                    {cluster.workloads[state]}
                  </Link>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
