import type { OwnerTeam } from "@/lib/api/rollout-types";

/** The team that owns a template, release or rollout; "global" when an admin made it outside any team. */
export function OwnerTeamBadge({ team }: { team: OwnerTeam }) {
  return (
    <span
      data-testid="owner-team"
      title={team ? "Owning team" : "Global: made by an admin outside any team"}
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
        team ? "bg-slate-50 text-slate-700 ring-slate-200" : "bg-indigo-50 text-indigo-700 ring-indigo-200"
      }`}
    >
      <span className="sr-only">Team: </span>
      {team ? team.name : "global"}
    </span>
  );
}
