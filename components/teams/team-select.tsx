"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { SelectField } from "@/components/ui/select-field";
import { teamsQuery } from "@/lib/queries/access";

export interface TeamChoice {
  /** The chosen team id; "" means none: global for an admin, not chosen yet for anyone else. */
  teamId: string;
  setTeamId: (teamId: string) => void;
  options: ReadonlyArray<{ value: string; label: string }>;
  /** The select matters: the caller is an admin or in several teams. */
  choosable: boolean;
  /** A non-admin in several teams has not chosen one yet (the server would answer 400). */
  missing: boolean;
  /** The caller may make nothing owned: a non-admin in no team. */
  noTeam: boolean;
  loadError: Error | null;
}

export const GLOBAL_TEAM_LABEL = "Global (admins only)";

/**
 * The owning team of a new template or release. Defaults to the caller's only team; an admin
 * may also pick "Global" (no teamId sent). `/api/v1/teams` lists a non-admin's own teams and
 * every team for an admin (`myRole` tells which are the admin's own).
 */
export function useTeamChoice(isAdmin: boolean, enabled = true): TeamChoice {
  const teams = useQuery({ ...teamsQuery(), enabled });
  const [chosen, setChosen] = useState<string | null>(null);
  const all = teams.data ?? [];
  const mine = isAdmin ? all.filter((team) => team.myRole !== null) : all;
  const only = mine.length === 1 ? mine[0] : undefined;
  const teamId = chosen ?? only?.id ?? "";
  const several = !isAdmin && all.length > 1;
  const teamOptions = all.map((team) => ({ value: team.id, label: team.name }));
  const options = isAdmin
    ? [{ value: "", label: GLOBAL_TEAM_LABEL }, ...teamOptions]
    : several && !teamId
      ? [{ value: "", label: "Choose a team" }, ...teamOptions]
      : teamOptions;
  return {
    teamId,
    setTeamId: setChosen,
    options,
    choosable: isAdmin || several,
    missing: several && !teamId,
    noTeam: !isAdmin && teams.isSuccess && all.length === 0,
    loadError: teams.error,
  };
}

/** The request field: omitted for "Global" (and when not chosen, so the server names the problem). */
export const teamIdField = (choice: TeamChoice): { teamId?: string } =>
  choice.teamId ? { teamId: choice.teamId } : {};

export function TeamSelect({
  choice,
  errors = [],
  hint,
  onChange,
  className,
}: {
  choice: TeamChoice;
  errors?: string[];
  hint?: string;
  onChange?: (teamId: string) => void;
  className?: string;
}) {
  const problems = [
    ...(choice.loadError ? [`Teams could not be loaded: ${choice.loadError.message}`] : []),
    ...(choice.noTeam ? ["You are not a member of any team yet. Ask an admin."] : []),
    ...errors,
  ];
  return (
    <SelectField
      label="Team"
      className={className}
      value={choice.teamId}
      options={choice.options}
      disabled={choice.noTeam}
      errors={problems}
      hint={hint}
      onChange={(event) => {
        choice.setTeamId(event.target.value);
        onChange?.(event.target.value);
      }}
    />
  );
}
