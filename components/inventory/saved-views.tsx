"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/api/client";
import { createInventoryView, deleteInventoryView } from "@/lib/api/inventory-views";
import type { InventoryViewView } from "@/lib/api/inventory-view-types";
import { teamsQuery } from "@/lib/queries/access";
import { inventoryViewKeys, inventoryViewsQuery } from "@/lib/queries/inventory-views";
import type { InventoryViewFilters } from "@/lib/schemas/inventory-views";

interface Props {
  /** The filters on screen now (what "Save view" keeps). */
  current: InventoryViewFilters;
  /** Shows a view's filters (replaces the ones on screen). */
  onApply: (filters: InventoryViewFilters) => void;
}

/** Saved views of the inventory: pick one, save the current filters under a name, delete one's own. */
export function SavedViews({ current, onApply }: Props) {
  const queryClient = useQueryClient();
  const views = useQuery(inventoryViewsQuery());
  const teams = useQuery(teamsQuery());
  const myTeams = (teams.data ?? []).filter((team) => team.myRole !== null);
  const [picked, setPicked] = useState("");
  const [name, setName] = useState("");
  const [teamId, setTeamId] = useState("");
  const [saving, setSaving] = useState(false);

  const save = useMutation({
    mutationFn: () => createInventoryView({ name, teamId: teamId || null, filters: current }),
    onSuccess: async (view) => {
      await queryClient.invalidateQueries({ queryKey: inventoryViewKeys.all });
      setPicked(view.id);
      setName("");
      setSaving(false);
    },
  });
  const remove = useMutation({
    mutationFn: (view: InventoryViewView) => deleteInventoryView(view.id),
    onSuccess: async () => {
      setPicked("");
      await queryClient.invalidateQueries({ queryKey: inventoryViewKeys.all });
    },
  });
  const fieldErrors = save.error instanceof ApiError ? save.error.fields : {};
  const otherError = save.error && !fieldErrors.name && !fieldErrors.teamId ? save.error.message : null;
  const pickedView = views.data?.find((view) => view.id === picked);

  return (
    <div className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="inventory-saved-view" className="block text-xs font-medium text-slate-700">
          Saved view
        </label>
        <select
          id="inventory-saved-view"
          value={picked}
          onChange={(event) => {
            setPicked(event.target.value);
            const view = views.data?.find((v) => v.id === event.target.value);
            if (view) onApply(view.filters);
          }}
          className="mt-1 block rounded-md border-0 py-1.5 pl-2 pr-8 text-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
        >
          <option value="">{views.isLoading ? "Loading views…" : "Choose a view"}</option>
          {(views.data ?? []).map((view) => (
            <option key={view.id} value={view.id}>
              {view.teamName ? `${view.name} (${view.teamName})` : view.name}
            </option>
          ))}
        </select>
      </div>
      {pickedView?.mine ? (
        <Button
          variant="secondary"
          pending={remove.isPending}
          onClick={() => window.confirm(`Delete view "${pickedView.name}"?`) && remove.mutate(pickedView)}
        >
          Delete view
        </Button>
      ) : null}
      {saving ? (
        <form
          className="flex flex-wrap items-start gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          <div>
            <label htmlFor="inventory-view-name" className="block text-xs font-medium text-slate-700">
              View name
            </label>
            <input
              id="inventory-view-name"
              value={name}
              autoFocus
              aria-invalid={Boolean(fieldErrors.name) || undefined}
              aria-describedby={fieldErrors.name ? "inventory-view-name-error" : undefined}
              onChange={(event) => setName(event.target.value)}
              className="mt-1 block rounded-md border-0 px-2 py-1.5 text-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 aria-[invalid]:ring-red-400"
            />
            {fieldErrors.name ? (
              <p id="inventory-view-name-error" className="mt-1 text-xs text-red-600">
                {fieldErrors.name.join(" ")}
              </p>
            ) : null}
          </div>
          <div>
            <label htmlFor="inventory-view-team" className="block text-xs font-medium text-slate-700">
              Share with
            </label>
            <select
              id="inventory-view-team"
              value={teamId}
              aria-invalid={Boolean(fieldErrors.teamId) || undefined}
              onChange={(event) => setTeamId(event.target.value)}
              className="mt-1 block rounded-md border-0 py-1.5 pl-2 pr-8 text-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
            >
              <option value="">Only me</option>
              {myTeams.map((team) => (
                <option key={team.id} value={team.id}>
                  Team {team.name}
                </option>
              ))}
            </select>
            {fieldErrors.teamId ? <p className="mt-1 text-xs text-red-600">{fieldErrors.teamId.join(" ")}</p> : null}
          </div>
          <div className="mt-5 flex gap-2">
            <Button type="submit" pending={save.isPending}>
              Save
            </Button>
            <Button type="button" variant="ghost" onClick={() => setSaving(false)}>
              Cancel
            </Button>
          </div>
          {otherError ? <p className="w-full text-xs text-red-600">{otherError}</p> : null}
        </form>
      ) : (
        <Button variant="secondary" onClick={() => setSaving(true)}>
          Save view…
        </Button>
      )}
    </div>
  );
}
