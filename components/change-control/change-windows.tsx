"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createChangeWindow, deleteChangeWindow } from "@/lib/api/change-windows";
import { changeControlKeys, changeWindowsQuery } from "@/lib/queries/change-control";

/** A datetime-local value (the browser's zone) as an instant; empty or unreadable stays as typed for the server to name. */
export const instantOf = (local: string) => {
  const time = Date.parse(local);
  return Number.isNaN(time) ? local : new Date(time).toISOString();
};

/** Change windows: clusters matching a selector take changes only while one of their windows is open. */
export function ChangeWindows() {
  const queryClient = useQueryClient();
  const query = useQuery(changeWindowsQuery());
  const [form, setForm] = useState({
    kind: "recurring",
    name: "",
    clusterSelector: "",
    cron: "0 9 * * 1-5",
    // Not the browser's zone: the server renders this form first, and the two must agree.
    timeZone: "UTC",
    durationMinutes: "120",
    startsAt: "",
    endsAt: "",
  });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: changeControlKeys.windows });
  const create = useMutation({
    mutationFn: () =>
      createChangeWindow(
        form.kind === "recurring"
          ? {
              kind: "recurring",
              name: form.name,
              clusterSelector: form.clusterSelector,
              cron: form.cron,
              timeZone: form.timeZone,
              durationMinutes: Number(form.durationMinutes),
            }
          : {
              kind: "once",
              name: form.name,
              clusterSelector: form.clusterSelector,
              startsAt: instantOf(form.startsAt),
              endsAt: instantOf(form.endsAt),
            },
      ),
    onSuccess: () => {
      setForm((f) => ({ ...f, name: "", clusterSelector: "" }));
      void invalidate();
    },
  });
  const remove = useMutation({ mutationFn: deleteChangeWindow, onSuccess: () => void invalidate() });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");
  return (
    <Section title="Change windows">
      <QueryState isPending={query.isPending} error={query.error} label="Change windows">
        <ul data-testid="change-windows" className="mb-4 space-y-2 text-sm">
          {query.data?.length === 0 ? <li className="text-slate-500">No window: waves run at any time.</li> : null}
          {query.data?.map((w) => (
            <li key={w.id} className="flex flex-wrap items-center gap-3">
              <span className="font-semibold">{w.name}</span>
              <span className="font-mono">{w.clusterSelector}</span>
              <span>
                {w.kind === "recurring"
                  ? `${w.cron} (${w.timeZone}) for ${w.durationMinutes} min`
                  : `${when(w.startsAt)} – ${when(w.endsAt)}`}
              </span>
              <span className={w.openNow ? "text-emerald-700" : "text-slate-600"}>
                {w.openNow ? `open until ${when(w.closesAt)}` : `opens ${when(w.nextOpening)}`}
              </span>
              <Button
                variant="secondary"
                pending={remove.isPending}
                onClick={() => window.confirm(`Delete window ${w.name}?`) && remove.mutate(w.id)}
              >
                Delete
              </Button>
            </li>
          ))}
        </ul>
      </QueryState>
      <form
        className="grid gap-3 sm:grid-cols-2"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <SelectField
          label="Kind"
          value={form.kind}
          options={[
            { value: "recurring", label: "Recurring (cron)" },
            { value: "once", label: "Once (date range)" },
          ]}
          onChange={(e) => setForm({ ...form, kind: e.target.value })}
        />
        <TextField
          label="Window name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          errors={fields.name}
        />
        <TextField
          label="Cluster selector"
          placeholder="env=prod"
          value={form.clusterSelector}
          onChange={(e) => setForm({ ...form, clusterSelector: e.target.value })}
          errors={fields.clusterSelector}
        />
        {form.kind === "recurring" ? (
          <>
            <TextField
              label="Opens at (cron)"
              hint="minute hour day-of-month month day-of-week"
              value={form.cron}
              onChange={(e) => setForm({ ...form, cron: e.target.value })}
              errors={fields.cron}
            />
            <TextField
              label="Time zone (IANA)"
              value={form.timeZone}
              onChange={(e) => setForm({ ...form, timeZone: e.target.value })}
              errors={fields.timeZone}
            />
            <TextField
              label="Open for (minutes)"
              type="number"
              min={1}
              value={form.durationMinutes}
              onChange={(e) => setForm({ ...form, durationMinutes: e.target.value })}
              errors={fields.durationMinutes}
            />
          </>
        ) : (
          <>
            <TextField
              label="Window starts"
              type="datetime-local"
              value={form.startsAt}
              onChange={(e) => setForm({ ...form, startsAt: e.target.value })}
              errors={fields.startsAt}
            />
            <TextField
              label="Window ends"
              type="datetime-local"
              value={form.endsAt}
              onChange={(e) => setForm({ ...form, endsAt: e.target.value })}
              errors={fields.endsAt}
            />
          </>
        )}
        <div className="sm:col-span-2">
          <Button type="submit" pending={create.isPending}>
            Add window
          </Button>
        </div>
        {create.error && Object.keys(fields).length === 0 ? <Alert>{create.error.message}</Alert> : null}
      </form>
    </Section>
  );
}
