"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { QueryState } from "@/components/ui/query-state";
import type { InventoryKind } from "@/lib/k8s/kinds";
import { compareQuery } from "@/lib/queries/inventory";

const KEY_STYLE = {
  same: "text-emerald-700",
  different: "text-red-700 font-semibold",
  missing: "text-amber-700",
  extra: "text-sky-700",
} as const;

function DiffText({ diff }: { diff: string }) {
  return (
    <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 text-[11px] leading-relaxed">
      {diff
        .split("\n")
        .slice(2)
        .map((line, index) => (
          <span
            key={index}
            className={
              line.startsWith("+")
                ? "block bg-emerald-50 text-emerald-800"
                : line.startsWith("-")
                  ? "block bg-red-50 text-red-800"
                  : "block text-slate-600"
            }
          >
            {line || " "}
          </span>
        ))}
    </pre>
  );
}

/** The same object in every cluster you may see: present or missing, and how it differs from a baseline. */
export function ComparePanel({
  kind,
  namespace,
  name,
  defaultBaseline,
}: {
  kind: InventoryKind;
  namespace: string;
  name: string;
  defaultBaseline: string;
}) {
  const [open, setOpen] = useState(false);
  const [baseline, setBaseline] = useState(defaultBaseline);
  const compare = useQuery({ ...compareQuery(kind, namespace, name, baseline), enabled: open });
  return (
    <section aria-label="Compare across clusters">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-semibold">Across clusters</h3>
        <button
          type="button"
          className="text-sm font-semibold text-indigo-700 hover:underline"
          aria-expanded={open}
          onClick={() => setOpen((value) => !value)}
        >
          {open ? "Hide comparison" : "Compare across clusters"}
        </button>
      </div>
      {open ? (
        <QueryState isPending={compare.isPending} error={compare.error} label="Comparison">
          {compare.data ? (
            <div className="mt-2 space-y-2">
              <label className="flex items-center gap-2 text-xs">
                Baseline
                <select
                  value={compare.data.baseline ?? baseline}
                  onChange={(event) => setBaseline(event.target.value)}
                  className="rounded-md border-0 py-1 text-xs ring-1 ring-inset ring-slate-300"
                >
                  {compare.data.entries
                    .filter((e) => e.state === "present")
                    .map((entry) => (
                      <option key={entry.clusterId} value={entry.clusterId}>
                        {entry.clusterName}
                      </option>
                    ))}
                </select>
              </label>
              <ul className="space-y-2">
                {compare.data.entries.map((entry) => (
                  <li
                    key={entry.clusterId}
                    data-testid={`compare-${entry.clusterName}`}
                    data-state={entry.state}
                    className={`rounded-md p-2 text-xs ring-1 ${entry.outlier ? "bg-amber-50 ring-amber-300" : "ring-slate-200"}`}
                  >
                    <div className="flex flex-wrap items-center gap-2">
                      <span className="font-semibold">{entry.clusterName}</span>
                      <span>
                        {entry.state === "present"
                          ? entry.clusterId === compare.data!.baseline
                            ? "baseline"
                            : entry.same
                              ? "same as baseline"
                              : "differs"
                          : entry.state === "missing"
                            ? "missing"
                            : `error: ${entry.error}`}
                      </span>
                      {entry.outlier ? (
                        <span className="rounded bg-amber-200 px-1.5 font-semibold text-amber-900">outlier</span>
                      ) : null}
                    </div>
                    {entry.keys ? (
                      <ul className="mt-1 flex flex-wrap gap-x-3">
                        {Object.entries(entry.keys).map(([key, state]) => (
                          <li key={key} className={KEY_STYLE[state]}>
                            {key}: {state}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                    {entry.diff ? <DiffText diff={entry.diff} /> : null}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </QueryState>
      ) : null}
    </section>
  );
}
