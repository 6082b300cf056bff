"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Spinner } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import type { ClusterStatus, ClusterView } from "@/lib/api/cluster-types";
import { selectorProblem } from "@/lib/k8s/label-selector";
import { clusterListQuery } from "@/lib/queries/clusters";
import { ClusterStatusBadge, InsecureBadge, LabelChips } from "./cluster-status-badge";

const STATUSES: Array<{ value: ClusterStatus | ""; label: string }> = [
  { value: "", label: "All" },
  { value: "reachable", label: "Reachable" },
  { value: "unreachable", label: "Unreachable" },
  { value: "never_checked", label: "Never checked" },
];

/** The fleet table. Every filter lives in the URL, so a view can be shared or bookmarked. */
export function ClusterList({ isAdmin }: { isAdmin: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const selector = searchParams.get("selector") ?? "";
  const name = searchParams.get("name") ?? "";
  const status = (searchParams.get("status") ?? "") as ClusterStatus | "";
  const page = Math.max(1, Number(searchParams.get("page") ?? "1") || 1);

  const [selectorDraft, setSelectorDraft] = useState(selector);
  const [nameDraft, setNameDraft] = useState(name);
  const draftProblem = selectorDraft ? selectorProblem(selectorDraft) : null;

  const setParams = (changes: Record<string, string>) => {
    const next = new URLSearchParams(searchParams);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!("page" in changes)) next.delete("page");
    router.replace(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false });
  };

  // Typing is debounced into the URL; an invalid selector is shown, never sent.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (!draftProblem && selectorDraft !== selector) setParams({ selector: selectorDraft });
      if (nameDraft !== name) setParams({ name: nameDraft });
    }, 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectorDraft, nameDraft, draftProblem]);

  const query = useQuery({ ...clusterListQuery({ selector, name, status, page }), placeholderData: keepPreviousData });
  const data = query.data;
  const pageCount = data
    ? Math.max(1, Math.ceil((status ? data.counts[status] : data.counts.total) / data.pageSize))
    : 1;

  return (
    <div className="space-y-4">
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="cluster-selector" className="block text-sm font-medium text-slate-800">
            Label selector
          </label>
          <input
            id="cluster-selector"
            value={selectorDraft}
            onChange={(event) => setSelectorDraft(event.target.value)}
            placeholder="env=prod,region in (eu-west,eu-north)"
            aria-invalid={Boolean(draftProblem) || undefined}
            aria-describedby="cluster-selector-help"
            className="mt-1 block w-full rounded-md border-0 px-3 py-2 font-mono text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 aria-[invalid]:ring-red-400"
          />
          <p id="cluster-selector-help" className={`mt-1 text-xs ${draftProblem ? "text-red-600" : "text-slate-500"}`}>
            {draftProblem ?? "kubectl syntax: =, ==, !=, in, notin, key, !key"}
          </p>
        </div>
        <div>
          <label htmlFor="cluster-name" className="block text-sm font-medium text-slate-800">
            Name contains
          </label>
          <input
            id="cluster-name"
            data-shortcut="search"
            value={nameDraft}
            onChange={(event) => setNameDraft(event.target.value)}
            placeholder="prod"
            className="mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
          />
        </div>
      </div>

      <div role="group" aria-label="Filter by status" className="flex flex-wrap gap-2">
        {STATUSES.map((option) => {
          const count = data ? (option.value ? data.counts[option.value] : data.counts.total) : null;
          const active = status === option.value;
          return (
            <button
              key={option.value || "all"}
              type="button"
              aria-pressed={active}
              onClick={() => setParams({ status: option.value })}
              className={`rounded-full px-3 py-1 text-sm ring-1 ring-inset ${active ? "bg-slate-900 text-white ring-slate-900" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"}`}
            >
              {option.label} <span data-testid={`count-${option.value || "all"}`}>{count ?? "–"}</span>
            </button>
          );
        })}
        {query.isFetching ? <Spinner className="size-4 self-center text-slate-400" /> : null}
      </div>

      {query.isError ? <Alert title="Clusters could not be loaded">{query.error.message}</Alert> : null}
      {query.isPending ? (
        <div role="status" className="flex items-center gap-2 py-8 text-sm text-slate-600">
          <Spinner /> Loading clusters…
        </div>
      ) : null}

      {data && data.counts.total === 0 && !selector && !name ? (
        <EmptyState
          title="No clusters registered yet"
          description={
            isAdmin
              ? "Register a cluster by hand or import several from a kubeconfig."
              : "An admin has not registered any cluster yet."
          }
          action={
            isAdmin ? (
              <div className="flex justify-center gap-2">
                <Link
                  href="/clusters/import"
                  className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
                >
                  Import kubeconfig
                </Link>
                <Link
                  href="/clusters/new"
                  className="rounded-md px-3 py-2 text-sm font-semibold ring-1 ring-slate-300 hover:bg-slate-50"
                >
                  Register one cluster
                </Link>
              </div>
            ) : null
          }
        />
      ) : data && data.clusters.length === 0 ? (
        <EmptyState
          title="No cluster matches these filters"
          description="Change the selector, name or status filter."
        />
      ) : data ? (
        <ClusterTable clusters={data.clusters} />
      ) : null}

      {data && pageCount > 1 ? (
        <nav aria-label="Pages" className="flex items-center justify-end gap-2 text-sm">
          <button
            type="button"
            disabled={page <= 1}
            onClick={() => setParams({ page: String(page - 1) })}
            className="rounded px-2 py-1 ring-1 ring-slate-300 disabled:opacity-50"
          >
            Previous
          </button>
          <span>
            Page {page} of {pageCount}
          </span>
          <button
            type="button"
            disabled={page >= pageCount}
            onClick={() => setParams({ page: String(page + 1) })}
            className="rounded px-2 py-1 ring-1 ring-slate-300 disabled:opacity-50"
          >
            Next
          </button>
        </nav>
      ) : null}
    </div>
  );
}

function ClusterTable({ clusters }: { clusters: ClusterView[] }) {
  return (
    <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-4 py-2">
              Name
            </th>
            <th scope="col" className="px-4 py-2">
              Labels
            </th>
            <th scope="col" className="px-4 py-2">
              Version
            </th>
            <th scope="col" className="px-4 py-2">
              Status
            </th>
            <th scope="col" className="px-4 py-2 text-right">
              Latency
            </th>
            <th scope="col" className="px-4 py-2 text-right">
              Nodes
            </th>
            <th scope="col" className="px-4 py-2 text-right">
              Namespaces
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {clusters.map((cluster) => (
            <tr key={cluster.id} data-testid={`cluster-row-${cluster.name}`} className="align-top hover:bg-slate-50">
              <td className="px-4 py-3">
                <Link
                  href={`/clusters/${cluster.id}`}
                  className="whitespace-nowrap font-medium text-indigo-700 hover:underline"
                >
                  {cluster.name}
                </Link>
                {cluster.insecureSkipTlsVerify ? (
                  <div className="mt-1">
                    <InsecureBadge />
                  </div>
                ) : null}
              </td>
              <td className="px-4 py-3">
                <LabelChips labels={cluster.labels} />
              </td>
              <td className="px-4 py-3 font-mono text-xs">{cluster.kubernetesVersion ?? "—"}</td>
              <td className="px-4 py-3">
                <ClusterStatusBadge status={cluster.status} />
                {cluster.status === "unreachable" && cluster.statusSince ? (
                  <p className="mt-1 text-xs text-red-700">
                    since <RelativeTime iso={cluster.statusSince} />
                    {cluster.lastError ? `: ${cluster.lastError.message}` : ""}
                  </p>
                ) : null}
              </td>
              <td className="px-4 py-3 text-right tabular-nums">
                {cluster.latencyMs !== null ? `${cluster.latencyMs} ms` : "—"}
              </td>
              <td className="px-4 py-3 text-right tabular-nums">{cluster.nodeCount ?? "—"}</td>
              <td className="px-4 py-3 text-right tabular-nums">{cluster.namespaceCount ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
