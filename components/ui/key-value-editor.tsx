"use client";

import { useId } from "react";
import { Button } from "./button";

export interface KeyValueRow {
  key: string;
  value: string;
}

interface Props {
  legend: string;
  rows: KeyValueRow[];
  onChange: (rows: KeyValueRow[]) => void;
  /** Client-side check per row; the server validates again. */
  problemOf?: (row: KeyValueRow) => string | null;
  /** Server errors keyed by entry key. */
  errors?: Record<string, string[]>;
  keyPlaceholder?: string;
  valuePlaceholder?: string;
  addLabel?: string;
}

export function rowsFromRecord(record: Record<string, string>): KeyValueRow[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

export function recordFromRows(rows: KeyValueRow[]): Record<string, string> {
  return Object.fromEntries(rows.filter((row) => row.key.trim() !== "").map((row) => [row.key.trim(), row.value]));
}

/** Editable list of key/value pairs (labels, variables) with inline validation. */
export function KeyValueEditor({
  legend,
  rows,
  onChange,
  problemOf,
  errors = {},
  keyPlaceholder = "key",
  valuePlaceholder = "value",
  addLabel = "Add",
}: Props) {
  const baseId = useId();
  const update = (index: number, patch: Partial<KeyValueRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="mt-2 space-y-2">
        {rows.length === 0 ? <p className="text-xs text-slate-500">None yet.</p> : null}
        {rows.map((row, index) => {
          const problem = (row.key || row.value ? problemOf?.(row) : null) ?? errors[row.key]?.join(" ") ?? null;
          return (
            <div key={index}>
              <div className="flex gap-2">
                <input
                  aria-label={`${legend} ${index + 1} key`}
                  aria-invalid={Boolean(problem) || undefined}
                  aria-describedby={problem ? `${baseId}-${index}-error` : undefined}
                  placeholder={keyPlaceholder}
                  value={row.key}
                  onChange={(event) => update(index, { key: event.target.value })}
                  className="w-2/5 rounded-md border-0 px-2 py-1.5 font-mono text-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
                />
                <input
                  aria-label={`${legend} ${index + 1} value`}
                  placeholder={valuePlaceholder}
                  value={row.value}
                  onChange={(event) => update(index, { value: event.target.value })}
                  className="flex-1 rounded-md border-0 px-2 py-1.5 font-mono text-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
                />
                <Button
                  type="button"
                  variant="ghost"
                  aria-label={`Remove ${legend.toLowerCase()} ${index + 1}`}
                  onClick={() => onChange(rows.filter((_, i) => i !== index))}
                >
                  ×
                </Button>
              </div>
              {problem ? (
                <p id={`${baseId}-${index}-error`} className="mt-1 text-xs text-red-600">
                  {problem}
                </p>
              ) : null}
            </div>
          );
        })}
      </div>
      <Button
        type="button"
        variant="secondary"
        className="mt-2"
        onClick={() => onChange([...rows, { key: "", value: "" }])}
      >
        {addLabel}
      </Button>
    </fieldset>
  );
}
