import "server-only";

export interface GroupMapping {
  group: string;
  teamId: string | null;
  role: "member" | "maintainer" | null;
  admin: boolean;
}

export interface DesiredAccess {
  /** team id -> role; maintainer wins when several groups map to one team. */
  teams: Map<string, "member" | "maintainer">;
  isAdmin: boolean;
}

/**
 * What a user's provider groups give them. Group names match exactly (case-sensitive, as
 * providers send them). Without any admin mapping, no group makes anyone an admin.
 */
export function desiredAccess(groups: readonly string[], mappings: readonly GroupMapping[]): DesiredAccess {
  const have = new Set(groups);
  const teams = new Map<string, "member" | "maintainer">();
  let isAdmin = false;
  for (const mapping of mappings) {
    if (!have.has(mapping.group)) continue;
    if (mapping.admin) isAdmin = true;
    else if (mapping.teamId) {
      const role = mapping.role ?? "member";
      if (teams.get(mapping.teamId) !== "maintainer") teams.set(mapping.teamId, role);
    }
  }
  return { teams, isAdmin };
}

/** A claim by name; dots reach into objects (`realm_access.roles`), as Keycloak nests roles. */
export function readClaim(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split(".")) {
    if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Groups as providers send them: an array of strings, one string, or nothing. Other entries are ignored. */
export function groupsFrom(value: unknown): string[] {
  if (typeof value === "string") return value ? [value] : [];
  if (!Array.isArray(value)) return [];
  return [
    ...new Set(
      value.filter((item): item is string => typeof item === "string" && item.length > 0 && item.length <= 256),
    ),
  ].slice(0, 1000);
}
