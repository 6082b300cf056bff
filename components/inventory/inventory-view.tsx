"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Spinner } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import type { InventoryParams } from "@/lib/api/inventory";
import type { InventoryRow } from "@/lib/api/inventory-types";
import type { InventoryViewFilters } from "@/lib/schemas/inventory-views";
import { HEALTH_STATES, KINDS, WORKLOAD_KINDS } from "@/lib/k8s/kinds";
import { selectorProblem } from "@/lib/k8s/label-selector";
import { namespacePatternProblem } from "@/lib/k8s/namespace-patterns";
import { inventoryQuery } from "@/lib/queries/inventory";
import { ClusterStatusStrip } from "./cluster-status-strip";
import { InventoryTable } from "./inventory-table";
import { NamespaceSummary } from "./namespace-summary";
import { ObjectDrawer } from "./object-drawer";
import { SavedViews } from "./saved-views";
import { formatDuration } from "@/lib/format/duration";

const VIEWS = [
  { value: "workloads", label: "Workloads" },
  { value: "configmaps", label: "ConfigMaps" },
  { value: "secrets", label: "Secrets" },
] as const;
const PAGE_SIZE = 100;
/** The URL's filter fields a saved view keeps (lib/schemas/inventory-views.ts checks them on save). */
const SAVED_FILTERS = [
  "view",
  "kind",
  "clusterSelector",
  "clusters",
  "namespace",
  "q",
  "labelSelector",
  "health",
  "sort",
  "order",
] as const satisfies ReadonlyArray<keyof InventoryViewFilters>;

type TextFilter = "clusterSelector" | "namespace" | "q" | "labelSelector";
const VALIDATORS: Partial<Record<TextFilter, (value: string) => string | null>> = {
  clusterSelector: selectorProblem,
  labelSelector: selectorProblem,
  namespace: namespacePatternProblem,
};

/**
 * The fleet inventory. All state is in the URL, so a view can be shared; the table is a
 * server page refreshed every few seconds without losing scroll position, selection or
 * filters (previous data stays on screen while the next arrives).
 */
export function InventoryView() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const get = (key: string) => searchParams.get(key) ?? "";

  const params: InventoryParams = {
    view: get("view") || "workloads",
    kind: get("kind") || undefined,
    clusterSelector: get("clusterSelector") || undefined,
    clusters: get("clusters") || undefined,
    namespace: get("namespace") || undefined,
    q: get("q") || undefined,
    labelSelector: get("labelSelector") || undefined,
    health: get("health") || undefined,
    sort: get("sort") || "cluster",
    order: get("order") || "asc",
    page: Math.max(1, Number(get("page")) || 1),
    pageSize: PAGE_SIZE,
  };

  // `router.replace` lands a render or a round trip later, so a change made before the last one
  // committed (a tab, then a typed filter) builds on the URL asked for, not on `searchParams`, or
  // it would drop the first. Refs, not `searchParams` in the callback, also keep the debounced
  // text filters below (their timer holds an older render's callback) from writing back an old URL.
  // Any commit ends the wait, so a navigation from elsewhere (back, a saved view) wins.
  const committed = useRef(searchParams.toString());
  const pending = useRef<string | null>(null);
  const searchKey = searchParams.toString();
  useLayoutEffect(() => {
    committed.current = searchKey;
    pending.current = null;
  }, [searchKey]);

  const setParams = useCallback(
    (changes: Record<string, string | undefined>, keepPage = false) => {
      const next = new URLSearchParams(pending.current ?? committed.current);
      for (const [key, value] of Object.entries(changes)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      if (!keepPage) next.delete("page");
      pending.current = next.toString();
      router.replace(`${pathname}?${next}`, { scroll: false });
    },
    [pathname, router],
  );

  const [drafts, setDrafts] = useState<Record<TextFilter, string>>({
    clusterSelector: params.clusterSelector ?? "",
    namespace: params.namespace ?? "",
    q: params.q ?? "",
    labelSelector: params.labelSelector ?? "",
  });
  const problems = Object.fromEntries(
    (Object.keys(drafts) as TextFilter[]).map((key) => [
      key,
      drafts[key] && VALIDATORS[key] ? VALIDATORS[key]!(drafts[key]) : null,
    ]),
  ) as Record<TextFilter, string | null>;

  useEffect(() => {
    const timer = setTimeout(() => {
      const changes: Record<string, string | undefined> = {};
      for (const key of Object.keys(drafts) as TextFilter[]) {
        if (!problems[key] && (drafts[key] || undefined) !== (params[key] || undefined))
          changes[key] = drafts[key] || undefined;
      }
      if (Object.keys(changes).length) setParams(changes);
    }, 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [drafts]);

  const query = useQuery(inventoryQuery(params));
  const [selected, setSelected] = useState<InventoryRow | null>(null);
  const [summaryCluster, setSummaryCluster] = useState<string>("");
  const data = query.data;
  const pageCount = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;

  const textInput = (key: TextFilter, label: string, placeholder: string) => (
    <div>
      <label htmlFor={`inventory-${key}`} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      <input
        id={`inventory-${key}`}
        data-shortcut={key === "q" ? "search" : undefined}
        value={drafts[key]}
        placeholder={placeholder}
        aria-invalid={Boolean(problems[key]) || undefined}
        aria-describedby={problems[key] ? `inventory-${key}-error` : undefined}
        onChange={(event) => setDrafts((current) => ({ ...current, [key]: event.target.value }))}
        className="mt-1 block w-full rounded-md border-0 px-2 py-1.5 font-mono text-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 aria-[invalid]:ring-red-400"
      />
      {problems[key] ? (
        <p id={`inventory-${key}-error`} className="mt-1 text-xs text-red-600">
          {problems[key]}
        </p>
      ) : null}
    </div>
  );

  // A saved view replaces every filter on screen (the text fields too, not only the URL).
  const applyView = (filters: InventoryViewFilters) => {
    setDrafts({
      clusterSelector: filters.clusterSelector ?? "",
      namespace: filters.namespace ?? "",
      q: filters.q ?? "",
      labelSelector: filters.labelSelector ?? "",
    });
    setParams(Object.fromEntries(SAVED_FILTERS.map((key) => [key, filters[key] || undefined])));
  };
  const currentFilters = Object.fromEntries(
    SAVED_FILTERS.flatMap((key) => (params[key] ? [[key, params[key]]] : [])),
  ) as InventoryViewFilters;

  return (
    <div className="space-y-4">
      <SavedViews current={currentFilters} onApply={applyView} />
      <div role="tablist" aria-label="What to show" className="flex gap-1 border-b border-slate-200">
        {VIEWS.map((view) => (
          <button
            key={view.value}
            role="tab"
            type="button"
            aria-selected={params.view === view.value}
            onClick={() =>
              setParams({ view: view.value, kind: undefined, health: undefined, sort: undefined, order: undefined })
            }
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${params.view === view.value ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {view.label}
          </button>
        ))}
      </div>

      <div className="grid gap-3 rounded-lg bg-white p-3 shadow-sm ring-1 ring-slate-200 sm:grid-cols-2 lg:grid-cols-6">
        {textInput("q", "Name contains", "api")}
        {textInput("namespace", "Namespace", "payments-*")}
        {textInput("labelSelector", "Label selector", "app=web,tier!=db")}
        {textInput("clusterSelector", "Cluster selector", "env=prod")}
        {params.view === "workloads" ? (
          <>
            <div>
              <label htmlFor="inventory-kind" className="block text-xs font-medium text-slate-700">
                Kind
              </label>
              <select
                id="inventory-kind"
                value={params.kind ?? ""}
                onChange={(e) => setParams({ kind: e.target.value || undefined })}
                className="mt-1 block w-full rounded-md border-0 py-1.5 text-xs ring-1 ring-inset ring-slate-300"
              >
                <option value="">All workloads</option>
                {WORKLOAD_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {KINDS[kind].kind}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor="inventory-health" className="block text-xs font-medium text-slate-700">
                Health
              </label>
              <select
                id="inventory-health"
                value={params.health ?? ""}
                onChange={(e) => setParams({ health: e.target.value || undefined })}
                className="mt-1 block w-full rounded-md border-0 py-1.5 text-xs ring-1 ring-inset ring-slate-300"
              >
                <option value="">Any</option>
                {HEALTH_STATES.map((health) => (
                  <option key={health} value={health}>
                    {health}
                  </option>
                ))}
              </select>
            </div>
          </>
        ) : null}
      </div>

      <div className="flex flex-wrap items-start justify-between gap-3">
        {data ? <ClusterStatusStrip clusters={data.clusters} /> : <span />}
        <p className="flex items-center gap-2 text-xs text-slate-500" aria-live="polite">
          {query.isFetching ? <Spinner className="size-3" /> : null}
          {data
            ? `${data.totalCapped ? "More than " : ""}${data.total.toLocaleString()} objects · answered in ${formatDuration(data.tookMs)}`
            : null}
        </p>
      </div>

      {query.isError ? <Alert title="The inventory could not be loaded">{query.error.message}</Alert> : null}
      {query.isPending ? (
        <div role="status" className="flex items-center gap-2 py-10 text-sm text-slate-600">
          <Spinner /> Asking every cluster you may see…
        </div>
      ) : null}
      {data && data.total === 0 ? (
        <EmptyState
          title="Nothing matches"
          description={data.message ?? "No object matches these filters in the clusters that answered."}
        />
      ) : null}
      {data && data.total > 0 ? (
        <InventoryTable
          view={params.view}
          rows={data.items}
          sort={{ sort: params.sort ?? "cluster", order: params.order === "desc" ? "desc" : "asc" }}
          onSort={(sort) => setParams({ sort: sort.sort, order: sort.order })}
          selected={selected ? `${selected.clusterId}/${selected.uid}` : null}
          onSelect={setSelected}
        />
      ) : null}

      {data && pageCount > 1 ? (
        <nav aria-label="Pages" className="flex items-center justify-end gap-2 text-sm">
          <button
            type="button"
            disabled={params.page! <= 1}
            onClick={() => setParams({ page: String(params.page! - 1) }, true)}
            className="rounded px-2 py-1 ring-1 ring-slate-300 disabled:opacity-50"
          >
            Previous
          </button>
          <span>
            Page {params.page} of {data.totalCapped ? `${pageCount}+` : pageCount}
          </span>
          <button
            type="button"
            disabled={params.page! >= pageCount && !(data.totalCapped && data.items.length === PAGE_SIZE)}
            onClick={() => setParams({ page: String(params.page! + 1) }, true)}
            className="rounded px-2 py-1 ring-1 ring-slate-300 disabled:opacity-50"
          >
            Next
          </button>
        </nav>
      ) : null}

      {data && data.clusters.length > 0 ? (
        <details className="rounded-lg bg-white p-3 shadow-sm ring-1 ring-slate-200">
          <summary className="cursor-pointer text-sm font-semibold">Namespaces per cluster</summary>
          <div className="mt-3 space-y-3">
            <select
              aria-label="Cluster for the namespace summary"
              value={summaryCluster}
              onChange={(e) => setSummaryCluster(e.target.value)}
              className="rounded-md border-0 py-1 text-sm ring-1 ring-inset ring-slate-300"
            >
              <option value="">Choose a cluster</option>
              {data.clusters.map((cluster) => (
                <option key={cluster.id} value={cluster.id}>
                  {cluster.name}
                </option>
              ))}
            </select>
            {summaryCluster ? (
              <NamespaceSummary
                clusterId={summaryCluster}
                onPick={(namespace) => {
                  setDrafts((current) => ({ ...current, namespace }));
                  setParams({ namespace });
                }}
              />
            ) : null}
          </div>
        </details>
      ) : null}

      {selected ? (
        <ObjectDrawer key={`${selected.clusterId}/${selected.uid}`} row={selected} onClose={() => setSelected(null)} />
      ) : null}
    </div>
  );
}
