"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createFreeze, deleteFreeze } from "@/lib/api/change-windows";
import { changeControlKeys, freezesQuery } from "@/lib/queries/change-control";
import { instantOf } from "./change-windows";

/** Change freezes: no rollout starts, and no new wave runs, on matching clusters in the range (admins may override). */
export function Freezes() {
  const queryClient = useQueryClient();
  const query = useQuery(freezesQuery());
  const [form, setForm] = useState({ name: "", clusterSelector: "", startsAt: "", endsAt: "", reason: "" });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: changeControlKeys.freezes });
  const create = useMutation({
    mutationFn: () => createFreeze({ ...form, startsAt: instantOf(form.startsAt), endsAt: instantOf(form.endsAt) }),
    onSuccess: () => {
      setForm({ name: "", clusterSelector: "", startsAt: "", endsAt: "", reason: "" });
      void invalidate();
    },
  });
  const remove = useMutation({ mutationFn: deleteFreeze, onSuccess: () => void invalidate() });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  return (
    <Section title="Freezes">
      <QueryState isPending={query.isPending} error={query.error} label="Freezes">
        <ul data-testid="freezes" className="mb-4 space-y-2 text-sm">
          {query.data?.length === 0 ? <li className="text-slate-500">No freeze.</li> : null}
          {query.data?.map((f) => (
            <li key={f.id} className="flex flex-wrap items-center gap-3">
              <span className="font-semibold">{f.name}</span>
              <span className="font-mono">{f.clusterSelector}</span>
              <span>
                {new Date(f.startsAt).toLocaleString()} – {new Date(f.endsAt).toLocaleString()}
              </span>
              <span>{f.reason}</span>
              {f.activeNow ? <span className="font-medium text-amber-700">in force</span> : null}
              <Button
                variant="secondary"
                pending={remove.isPending}
                onClick={() => window.confirm(`Delete freeze ${f.name}?`) && remove.mutate(f.id)}
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
        <TextField
          label="Freeze name"
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
        <TextField
          label="Freeze starts"
          type="datetime-local"
          value={form.startsAt}
          onChange={(e) => setForm({ ...form, startsAt: e.target.value })}
          errors={fields.startsAt}
        />
        <TextField
          label="Freeze ends"
          type="datetime-local"
          value={form.endsAt}
          onChange={(e) => setForm({ ...form, endsAt: e.target.value })}
          errors={fields.endsAt}
        />
        <TextField
          label="Reason"
          value={form.reason}
          onChange={(e) => setForm({ ...form, reason: e.target.value })}
          errors={fields.reason}
          className="sm:col-span-2"
        />
        <div className="sm:col-span-2">
          <Button type="submit" pending={create.isPending}>
            Add freeze
          </Button>
        </div>
        {create.error && Object.keys(fields).length === 0 ? <Alert>{create.error.message}</Alert> : null}
      </form>
    </Section>
  );
}
