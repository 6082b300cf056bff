"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { LoadMore } from "@/components/ui/load-more";
import { QueryState } from "@/components/ui/query-state";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import type { ChangeFilters, ChangesPageParam } from "@/lib/api/timeline";
import { ALL_KINDS, KINDS } from "@/lib/k8s/kinds";
import { changesQuery, timelineKeys } from "@/lib/queries/timeline";
import { CHANGE_TYPES } from "@/lib/schemas/timeline";
import { ChangeRow } from "./change-row";

const RANGES = [
  { value: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { value: "1h", label: "Last hour", ms: 60 * 60_000 },
  { value: "6h", label: "Last 6 hours", ms: 6 * 60 * 60_000 },
  { value: "24h", label: "Last 24 hours", ms: 24 * 60 * 60_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 24 * 60 * 60_000 },
  { value: "custom", label: "Custom range", ms: 0 },
] as const;
const KIND_OPTIONS = [
  { value: "", label: "Any kind" },
  ...ALL_KINDS.map((kind) => ({ value: kind, label: KINDS[kind].kind })),
];
const CHANGE_OPTIONS = [
  { value: "", label: "Any change" },
  ...CHANGE_TYPES.map((change) => ({ value: change, label: change === "health" ? "health transition" : change })),
];

interface Draft extends Required<ChangeFilters> {
  range: string;
  from: string;
  to: string;
}

/** A datetime-local value as an absolute time; what cannot be read is sent as typed, so the server names the field. */
const absolute = (local: string) => {
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? local : time.toISOString();
};

/** The absolute range of a first page, resolved when it is asked for (a preset counts back from now). */
function rangeOf(current: Draft): ChangesPageParam {
  const now = Date.now();
  const preset = RANGES.find((range) => range.value === current.range && range.value !== "custom");
  if (preset) return { from: new Date(now - preset.ms).toISOString(), to: new Date(now).toISOString() };
  return {
    from: current.from ? absolute(current.from) : new Date(now - 60 * 60_000).toISOString(),
    to: current.to ? absolute(current.to) : new Date(now).toISOString(),
  };
}

/** A refused filter names its field: show those messages rather than the generic one. */
function readable(error: Error | null): Error | null {
  if (!(error instanceof ApiError) || Object.keys(error.fields).length === 0) return error;
  return new Error(
    Object.entries(error.fields)
      .map(([field, messages]) => `${field}: ${messages.join(" ")}`)
      .join("; "),
  );
}

/** The change timeline: filters live in the URL, so a view ("what changed in prod in the last hour") can be shared. */
export function ChangeTimeline() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const current: Draft = {
    range: params.get("range") ?? "1h",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    clusters: params.get("clusters") ?? "",
    kind: params.get("kind") ?? "",
    namespace: params.get("namespace") ?? "",
    q: params.get("q") ?? "",
    change: params.get("change") ?? "",
  };
  const [draft, setDraft] = useState(current);
  const filters: ChangeFilters = {
    clusters: current.clusters,
    kind: current.kind,
    namespace: current.namespace,
    q: current.q,
    change: current.change,
  };
  const preset = RANGES.find((range) => range.value === current.range && range.value !== "custom");
  const rangeKey = preset ? preset.value : `custom:${current.from}:${current.to}`;
  const query = useInfiniteQuery(changesQuery(filters, rangeKey, () => rangeOf(current)));

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of Object.entries(draft)) {
      if (!value || (key === "range" && value === "1h")) continue;
      if ((key === "from" || key === "to") && draft.range !== "custom") continue;
      next.set(key, value);
    }
    router.replace(`${pathname}${next.size ? `?${next}` : ""}`);
  };
  const refresh = () => void queryClient.resetQueries({ queryKey: timelineKeys.changes(filters, rangeKey) });
  const changes = query.data?.pages.flatMap((page) => page.changes) ?? [];
  const range = query.data?.pages[0]?.range;

  return (
    <div className="space-y-4">
      <form
        onSubmit={apply}
        aria-label="Timeline filters"
        className="grid gap-3 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-3 lg:grid-cols-6 lg:items-end"
      >
        <SelectField
          label="Time range"
          value={draft.range}
          onChange={(e) => setDraft({ ...draft, range: e.target.value })}
          options={RANGES}
        />
        {draft.range === "custom" ? (
          <>
            <TextField
              label="From"
              type="datetime-local"
              value={draft.from}
              onChange={(e) => setDraft({ ...draft, from: e.target.value })}
            />
            <TextField
              label="To"
              type="datetime-local"
              value={draft.to}
              onChange={(e) => setDraft({ ...draft, to: e.target.value })}
            />
          </>
        ) : null}
        <TextField
          label="Clusters"
          value={draft.clusters}
          onChange={(e) => setDraft({ ...draft, clusters: e.target.value })}
          placeholder="names, comma-separated"
        />
        <SelectField
          label="Kind"
          value={draft.kind}
          onChange={(e) => setDraft({ ...draft, kind: e.target.value })}
          options={KIND_OPTIONS}
        />
        <TextField
          label="Namespace"
          value={draft.namespace}
          onChange={(e) => setDraft({ ...draft, namespace: e.target.value })}
          placeholder="team-a or team-*"
        />
        <TextField label="Name contains" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        <SelectField
          label="Change"
          value={draft.change}
          onChange={(e) => setDraft({ ...draft, change: e.target.value })}
          options={CHANGE_OPTIONS}
        />
        <div className="flex gap-2 sm:col-span-3 lg:col-span-6">
          <Button type="submit">Apply filters</Button>
          <Button type="button" variant="secondary" onClick={refresh}>
            Refresh
          </Button>
        </div>
      </form>
      <QueryState isPending={query.isPending} error={readable(query.error)} label="Changes">
        {range ? (
          <p className="text-xs text-slate-500">
            Changes from {new Date(range.from).toLocaleString()} to {new Date(range.to).toLocaleString()}, newest first,
            in the clusters and namespaces you may see.
          </p>
        ) : null}
        {changes.length === 0 ? (
          <EmptyState
            title="No changes"
            description="Nothing you may see was created, changed, deleted or changed health in this range under these filters."
          />
        ) : (
          <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase text-slate-600">
                <tr>
                  {["When", "Change", "Cluster", "Kind", "Namespace / name", "Health", "Diff"].map((title) => (
                    <th key={title} scope="col" className="px-3 py-2">
                      {title}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {changes.map((entry) => (
                  <ChangeRow key={entry.id} entry={entry} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore
          shown={changes.length}
          total={query.data?.pages.at(-1)?.total}
          noun="changes"
          hasMore={query.hasNextPage}
          loading={query.isFetchingNextPage}
          onLoadMore={() => void query.fetchNextPage()}
        />
      </QueryState>
    </div>
  );
}
