"use client";

import { useId, useState } from "react";
import { HealthBadge } from "@/components/inventory/health-badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { HEALTH_STATES, KINDS, type Health, type InventoryKind } from "@/lib/k8s/kinds";
import type { ChangeEntryView, ChangeType } from "@/lib/schemas/timeline";
import { ChangeDiff } from "./change-diff";

const CHANGE_STYLE: Record<ChangeType, string> = {
  created: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  changed: "bg-sky-50 text-sky-800 ring-sky-200",
  deleted: "bg-red-50 text-red-800 ring-red-200",
  health: "bg-amber-50 text-amber-900 ring-amber-300",
};

const asHealth = (value: string | null): Health | undefined =>
  (HEALTH_STATES as readonly string[]).includes(value ?? "") ? (value as Health) : undefined;
const kindLabel = (kind: string) => KINDS[kind as InventoryKind]?.kind ?? kind;

/** One timeline entry; its diff opens below it (a button, so it works from the keyboard). */
export function ChangeRow({ entry }: { entry: ChangeEntryView }) {
  const [open, setOpen] = useState(false);
  const diffId = useId();
  const showsHealth = entry.health.before !== null || entry.health.after !== null;
  return (
    <>
      <tr data-testid="change-row" className="align-top">
        <td className="whitespace-nowrap px-3 py-2 text-xs">
          <RelativeTime iso={entry.at} />
          <span className="block text-slate-500">{new Date(entry.at).toLocaleString()}</span>
        </td>
        <td className="px-3 py-2">
          <span
            className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${CHANGE_STYLE[entry.change]}`}
          >
            {entry.change}
          </span>
        </td>
        <td className="px-3 py-2 text-xs">{entry.cluster.name}</td>
        <td className="px-3 py-2 text-xs">{kindLabel(entry.kind)}</td>
        <td className="px-3 py-2 text-xs">
          <span className="text-slate-500">{entry.namespace ? `${entry.namespace} / ` : ""}</span>
          <span className="font-medium text-slate-900">{entry.name}</span>
        </td>
        <td className="whitespace-nowrap px-3 py-2 text-xs">
          {showsHealth ? (
            <span
              className="inline-flex items-center gap-1"
              aria-label={`health ${entry.health.before ?? "none"} to ${entry.health.after ?? "none"}`}
            >
              <HealthBadge health={asHealth(entry.health.before)} />
              <span aria-hidden="true">→</span>
              <HealthBadge health={asHealth(entry.health.after)} />
            </span>
          ) : (
            <span className="text-slate-400">—</span>
          )}
        </td>
        <td className="px-3 py-2 text-xs">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={diffId}
            onClick={() => setOpen(!open)}
            className="rounded px-1 font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            {open ? "Hide diff" : `Diff (${entry.diff.length})`}
          </button>
        </td>
      </tr>
      {open ? (
        <tr id={diffId} className="bg-slate-50">
          <td colSpan={7} className="px-6 py-3">
            <ChangeDiff diff={entry.diff} unreadable={entry.unreadable} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
