import "server-only";
import type { OwnerTeam } from "@/lib/api/rollout-types";
import { db } from "@/lib/server/db/client";
import { forbidden, validationFailed } from "@/lib/server/errors/app-error";
import type { AccessProfile } from "./policy";

/**
 * The team a new template or release belongs to: the one asked for (a team of the caller's;
 * admins may name any), else the caller's only team; an admin outside any team makes a global
 * one (null). `what` completes the messages: "this template", "this release".
 */
export async function resolveOwnerTeam(
  profile: AccessProfile,
  requested: string | null | undefined,
  what: { noun: string; action: string },
): Promise<string | null> {
  if (requested) {
    const known = profile.isAdmin
      ? Boolean(await db().team.findUnique({ where: { id: requested }, select: { id: true } }))
      : profile.memberOf.has(requested);
    if (!known) throw validationFailed({ teamId: ["No team of yours has this id"] });
    return requested;
  }
  if (profile.isAdmin) return null;
  if (profile.memberOf.size === 1) return [...profile.memberOf][0]!;
  if (profile.memberOf.size === 0) throw forbidden(`${what.action} needs membership of a team`);
  throw validationFailed({ teamId: [`You are in several teams: choose the team ${what.noun}`] });
}

/** The owner as answers carry it. */
export const ownerTeamView = (team: { id: string; name: string } | null): OwnerTeam =>
  team ? { id: team.id, name: team.name } : null;
