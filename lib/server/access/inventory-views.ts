import "server-only";
import type { AccessProfile } from "./policy";

/**
 * Saved inventory view decisions (README, "Saved inventory views"). A view holds filters, not
 * data: what it lists is still cut by the reader's own grants when it is applied.
 *
 * - read: its owner, and the members of the team it is shared with. Anyone else, admins
 *   included (views are personal), gets 404, exactly as for a view that does not exist.
 * - share: only with a team the owner belongs to; another team answers like an unknown one.
 * - delete: its owner only; a team member who can read it is refused (403).
 */
export interface InventoryViewOwner {
  ownerId: string;
  teamId: string | null;
}

export type InventoryViewDecision = "allowed" | "hidden" | "forbidden";

export function decideInventoryViewRead(profile: AccessProfile, view: InventoryViewOwner): InventoryViewDecision {
  if (view.ownerId === profile.userId) return "allowed";
  return view.teamId !== null && profile.memberOf.has(view.teamId) ? "allowed" : "hidden";
}

export function decideInventoryViewDelete(profile: AccessProfile, view: InventoryViewOwner): InventoryViewDecision {
  const read = decideInventoryViewRead(profile, view);
  if (read !== "allowed") return read;
  return view.ownerId === profile.userId ? "allowed" : "forbidden";
}

export function mayShareInventoryViewWith(profile: AccessProfile, teamId: string): boolean {
  return profile.memberOf.has(teamId);
}
