"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { LoadMore } from "@/components/ui/load-more";
import { QueryState } from "@/components/ui/query-state";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import type { AuditFilters } from "@/lib/api/access";
import { auditQuery } from "@/lib/queries/access";

const RESULTS = [
  { value: "", label: "Any result" },
  { value: "success", label: "Success" },
  { value: "denied", label: "Denied" },
  { value: "failure", label: "Failure" },
  { value: "started", label: "Started (before each mutation)" },
];

/** Filters live in the URL so an audit view can be shared. */
export function AuditLog() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters: AuditFilters = {
    user: params.get("user") ?? "",
    action: params.get("action") ?? "",
    cluster: params.get("cluster") ?? "",
    result: params.get("result") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
  };
  const [draft, setDraft] = useState(filters);
  const query = useInfiniteQuery(auditQuery(filters));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of Object.entries(draft)) if (value) next.set(key, value);
    router.replace(`${pathname}${next.size ? `?${next}` : ""}`);
  };
  const events = query.data?.pages.flatMap((page) => page.events) ?? [];
  const unfinished = query.data?.pages[0]?.unfinished;

  return (
    <div className="space-y-4">
      <form
        onSubmit={apply}
        className="grid gap-3 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-3 lg:grid-cols-6 lg:items-end"
      >
        <TextField
          label="User"
          value={draft.user}
          onChange={(e) => setDraft({ ...draft, user: e.target.value })}
          placeholder="email"
        />
        <TextField
          label="Action"
          value={draft.action}
          onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          placeholder="cluster."
        />
        <TextField
          label="Cluster"
          value={draft.cluster}
          onChange={(e) => setDraft({ ...draft, cluster: e.target.value })}
        />
        <SelectField
          label="Result"
          value={draft.result}
          onChange={(e) => setDraft({ ...draft, result: e.target.value })}
          options={RESULTS}
        />
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
        <div className="sm:col-span-3 lg:col-span-6">
          <Button type="submit">Apply filters</Button>
        </div>
      </form>
      {unfinished && unfinished.total > 0 ? (
        <div role="alert" className="rounded-lg bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
          <p className="font-medium">
            {unfinished.total} {unfinished.total === 1 ? "action" : "actions"} started without a recorded outcome
          </p>
          <p className="mt-1 text-xs">
            The database failed between the start and the outcome of these requests, so whether they completed is not in
            the log. Newest:{" "}
            {unfinished.newest
              .map((start) => `${start.action} at ${new Date(start.at).toLocaleString()} (request ${start.requestId})`)
              .join("; ")}
            . Filter by result “Started” to see them all.
          </p>
        </div>
      ) : null}
      <QueryState isPending={query.isPending} error={query.error} label="Audit events">
        {events.length === 0 ? <p className="text-sm text-slate-500">No audit events match.</p> : null}
        <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2">
                  When
                </th>
                <th scope="col" className="px-3 py-2">
                  Who
                </th>
                <th scope="col" className="px-3 py-2">
                  Action
                </th>
                <th scope="col" className="px-3 py-2">
                  Target
                </th>
                <th scope="col" className="px-3 py-2">
                  Result
                </th>
                <th scope="col" className="px-3 py-2">
                  Request
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {events.map((event) => (
                <tr key={event.id} data-testid="audit-row" className="align-top">
                  <td className="whitespace-nowrap px-3 py-2 text-xs">{new Date(event.at).toLocaleString()}</td>
                  <td className="px-3 py-2">
                    {event.actorEmail ?? "—"}
                    <span className="block text-xs text-slate-500">{event.actorVia}</span>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{event.action}</td>
                  <td className="px-3 py-2 text-xs">
                    {[event.target.cluster, event.target.namespace, event.target.kind, event.target.name]
                      .filter(Boolean)
                      .join(" / ") || "—"}
                  </td>
                  <td className="px-3 py-2">
                    <span
                      className={
                        event.result === "success"
                          ? "text-emerald-700"
                          : event.result === "denied"
                            ? "text-amber-700"
                            : event.result === "started"
                              ? "text-slate-500"
                              : "text-red-700"
                      }
                    >
                      {event.result}
                    </span>
                    {event.httpStatus ? <span className="text-xs text-slate-500"> ({event.httpStatus})</span> : null}
                  </td>
                  <td className="px-3 py-2 font-mono text-[11px] text-slate-500">{event.requestId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <LoadMore
          shown={events.length}
          total={query.data?.pages.at(-1)?.total}
          noun="events"
          hasMore={query.hasNextPage}
          loading={query.isFetchingNextPage}
          onLoadMore={() => void query.fetchNextPage()}
        />
      </QueryState>
    </div>
  );
}
