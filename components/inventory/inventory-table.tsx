"use client";

import type { InventoryRow } from "@/lib/api/inventory-types";
import { KINDS } from "@/lib/k8s/kinds";
import { HealthBadge } from "./health-badge";

export interface SortState {
  sort: string;
  order: "asc" | "desc";
}

interface Column {
  id: string;
  label: string;
  sortable?: string;
  align?: "right";
  render: (row: InventoryRow) => React.ReactNode;
}

const age = (iso: string) => {
  if (!iso) return "—";
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
};

const bytes = (size?: number) =>
  size === undefined ? "—" : size < 1024 ? `${size} B` : `${(size / 1024).toFixed(1)} KiB`;

const COMMON: Column[] = [
  { id: "cluster", label: "Cluster", sortable: "cluster", render: (r) => r.clusterName },
  { id: "namespace", label: "Namespace", sortable: "namespace", render: (r) => r.namespace },
  {
    id: "name",
    label: "Name",
    sortable: "name",
    render: (r) => <span className="font-medium text-slate-900">{r.name}</span>,
  },
];

const COLUMNS: Record<string, Column[]> = {
  workloads: [
    ...COMMON,
    { id: "kind", label: "Kind", sortable: "kind", render: (r) => KINDS[r.kind].kind },
    {
      id: "ready",
      label: "Ready",
      sortable: "ready",
      align: "right",
      render: (r) => (r.desired !== undefined ? `${r.ready ?? 0}/${r.desired}` : "—"),
    },
    { id: "health", label: "Health", sortable: "health", render: (r) => <HealthBadge health={r.health} /> },
    {
      id: "images",
      label: "Images",
      render: (r) => <span className="font-mono text-[11px] text-slate-600">{r.images?.join(", ")}</span>,
    },
    { id: "age", label: "Age", sortable: "age", align: "right", render: (r) => age(r.createdAt) },
  ],
  configmaps: [
    ...COMMON,
    {
      id: "keys",
      label: "Keys",
      render: (r) => <span className="font-mono text-[11px] text-slate-600">{r.keys?.join(", ") || "—"}</span>,
    },
    { id: "size", label: "Size", sortable: "size", align: "right", render: (r) => bytes(r.size) },
    { id: "age", label: "Age", sortable: "age", align: "right", render: (r) => age(r.createdAt) },
  ],
  secrets: [
    ...COMMON,
    { id: "type", label: "Type", render: (r) => <span className="font-mono text-[11px]">{r.secretType}</span> },
    { id: "keys", label: "Keys", sortable: "size", align: "right", render: (r) => r.keyCount ?? "—" },
    { id: "age", label: "Age", sortable: "age", align: "right", render: (r) => age(r.createdAt) },
  ],
};

interface Props {
  view: string;
  rows: InventoryRow[];
  sort: SortState;
  onSort: (sort: SortState) => void;
  selected: string | null;
  onSelect: (row: InventoryRow) => void;
}

/** One server page of rows: the server sorts and pages, so 40,000 objects never reach the browser at once. */
export function InventoryTable({ view, rows, sort, onSort, selected, onSelect }: Props) {
  const columns = COLUMNS[view] ?? COLUMNS.workloads!;
  return (
    <div className="overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            {columns.map((column) => {
              const active = column.sortable && sort.sort === column.sortable;
              return (
                <th
                  key={column.id}
                  scope="col"
                  aria-sort={active ? (sort.order === "asc" ? "ascending" : "descending") : undefined}
                  className={`px-3 py-2 ${column.align === "right" ? "text-right" : ""}`}
                >
                  {column.sortable ? (
                    <button
                      type="button"
                      onClick={() =>
                        onSort({ sort: column.sortable!, order: active && sort.order === "asc" ? "desc" : "asc" })
                      }
                      className="inline-flex items-center gap-1 uppercase hover:text-slate-900"
                    >
                      {column.label}
                      <span aria-hidden="true">{active ? (sort.order === "asc" ? "▲" : "▼") : ""}</span>
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => {
            const key = `${row.clusterId}/${row.uid}`;
            return (
              <tr
                key={key}
                data-testid={`row-${row.clusterName}-${row.namespace}-${row.name}`}
                aria-selected={selected === key}
                tabIndex={0}
                onClick={() => onSelect(row)}
                onKeyDown={(event) => {
                  if (event.key === "Enter" || event.key === " ") {
                    event.preventDefault();
                    onSelect(row);
                  }
                }}
                className={`cursor-pointer align-top focus:bg-indigo-50 focus:outline-none ${selected === key ? "bg-indigo-50" : "hover:bg-slate-50"}`}
              >
                {columns.map((column) => (
                  <td
                    key={column.id}
                    className={`px-3 py-2 ${column.align === "right" ? "text-right tabular-nums" : ""}`}
                  >
                    {column.render(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
