"use client";

import { Button } from "@/components/ui/button";

export interface MappingRow {
  group: string;
  /** A team id, or "admin". */
  target: string;
  role: "member" | "maintainer";
}

/** Provider group → team (member or maintainer) or → admin. */
export function MappingsEditor({
  rows,
  onChange,
  teams,
  disabled,
  errors,
}: {
  rows: MappingRow[];
  onChange: (rows: MappingRow[]) => void;
  teams: { id: string; name: string }[];
  disabled: boolean;
  errors: Record<string, string[]>;
}) {
  const update = (index: number, change: Partial<MappingRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset disabled={disabled} className="space-y-2">
      <legend className="text-sm font-medium text-slate-800">Group mappings</legend>
      {rows.length === 0 ? <p className="text-sm text-slate-500">No group gives access yet.</p> : null}
      {rows.map((row, index) => {
        const problem = errors[`mappings.${index}.teamId`] ?? errors[`mappings.${index}.group`];
        return (
          <div key={index} className="flex flex-wrap items-center gap-2" data-testid={`mapping-${index}`}>
            <input
              aria-label={`Group ${index + 1}`}
              value={row.group}
              placeholder="provider group"
              onChange={(event) => update(index, { group: event.target.value })}
              className="rounded-md border-0 px-2 py-1 text-sm ring-1 ring-inset ring-slate-300"
            />
            <span className="text-sm text-slate-500">→</span>
            <select
              aria-label={`Target of group ${index + 1}`}
              value={row.target}
              onChange={(event) => update(index, { target: event.target.value })}
              className="rounded-md border-0 py-1 text-sm ring-1 ring-inset ring-slate-300"
            >
              <option value="">Choose a team…</option>
              {teams.map((team) => (
                <option key={team.id} value={team.id}>
                  Team {team.name}
                </option>
              ))}
              <option value="admin">Archipelago admin</option>
            </select>
            {row.target !== "admin" ? (
              <select
                aria-label={`Role of group ${index + 1}`}
                value={row.role}
                onChange={(event) => update(index, { role: event.target.value as MappingRow["role"] })}
                className="rounded-md border-0 py-1 text-sm ring-1 ring-inset ring-slate-300"
              >
                <option value="member">member</option>
                <option value="maintainer">maintainer</option>
              </select>
            ) : null}
            <Button type="button" variant="ghost" onClick={() => onChange(rows.filter((_, i) => i !== index))}>
              Remove
            </Button>
            {problem ? <p className="w-full text-sm text-red-600">{problem.join(" ")}</p> : null}
          </div>
        );
      })}
      <Button
        type="button"
        variant="secondary"
        onClick={() => onChange([...rows, { group: "", target: "", role: "member" }])}
      >
        Add mapping
      </Button>
    </fieldset>
  );
}
