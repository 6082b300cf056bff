import { apiFetch } from "./client";
import type {
  AccessPreviewView,
  ApiTokenView,
  GrantView,
  TeamDetailView,
  TeamSummaryView,
  UserAdminView,
} from "./team-types";
import type { AuditPage } from "@/lib/schemas/audit";

const enc = encodeURIComponent;

export const fetchTeams = () => apiFetch<{ teams: TeamSummaryView[] }>("/api/v1/teams").then((r) => r.teams);
export const fetchTeam = (id: string) =>
  apiFetch<{ team: TeamDetailView }>(`/api/v1/teams/${enc(id)}`).then((r) => r.team);
export const fetchTeamAccess = (id: string) => apiFetch<AccessPreviewView>(`/api/v1/teams/${enc(id)}/access`);
export const createTeam = (input: { name: string; description?: string }) =>
  apiFetch<{ team: TeamSummaryView }>("/api/v1/teams", { method: "POST", body: input }).then((r) => r.team);
export const deleteTeam = (id: string) => apiFetch<null>(`/api/v1/teams/${enc(id)}`, { method: "DELETE" });

export const addMember = (teamId: string, input: { email: string; role: "member" | "maintainer" }) =>
  apiFetch<{ team: TeamDetailView }>(`/api/v1/teams/${enc(teamId)}/members`, { method: "POST", body: input }).then(
    (r) => r.team,
  );
export const updateMember = (teamId: string, userId: string, role: "member" | "maintainer") =>
  apiFetch<{ team: TeamDetailView }>(`/api/v1/teams/${enc(teamId)}/members/${enc(userId)}`, {
    method: "PATCH",
    body: { role },
  }).then((r) => r.team);
export const removeMember = (teamId: string, userId: string) =>
  apiFetch<null>(`/api/v1/teams/${enc(teamId)}/members/${enc(userId)}`, { method: "DELETE" });

export type GrantInput = Omit<GrantView, "id" | "matchedClusters">;
export const createGrant = (teamId: string, input: GrantInput) =>
  apiFetch<{ team: TeamDetailView }>(`/api/v1/teams/${enc(teamId)}/grants`, { method: "POST", body: input }).then(
    (r) => r.team,
  );
export const deleteGrant = (teamId: string, grantId: string) =>
  apiFetch<null>(`/api/v1/teams/${enc(teamId)}/grants/${enc(grantId)}`, { method: "DELETE" });
export const previewGrant = (input: { clusterSelector: string | null; clusterIds: string[] }) =>
  apiFetch<{ clusters: Array<{ id: string; name: string }> }>("/api/v1/grants/preview", {
    method: "POST",
    body: input,
  }).then((r) => r.clusters);

export const fetchUsers = () => apiFetch<{ users: UserAdminView[] }>("/api/v1/users").then((r) => r.users);
export const createUser = (input: { email: string; name: string; password: string; isAdmin: boolean }) =>
  apiFetch<{ user: UserAdminView }>("/api/v1/users", { method: "POST", body: input }).then((r) => r.user);
export const updateUser = (id: string, changes: { name?: string; isAdmin?: boolean; disabled?: boolean }) =>
  apiFetch<{ user: UserAdminView }>(`/api/v1/users/${enc(id)}`, { method: "PATCH", body: changes }).then((r) => r.user);
export const resetPassword = (id: string, password: string) =>
  apiFetch<{ endedSessions: number; revokedTokens: number }>(`/api/v1/users/${enc(id)}/password`, {
    method: "PUT",
    body: { password },
  });

export const fetchTokens = () => apiFetch<{ tokens: ApiTokenView[] }>("/api/v1/me/tokens").then((r) => r.tokens);
export const createToken = (input: { name: string; expiresInDays: number | null }) =>
  apiFetch<{ token: string; apiToken: ApiTokenView }>("/api/v1/me/tokens", { method: "POST", body: input });
export const revokeToken = (id: string) =>
  apiFetch<{ apiToken: ApiTokenView }>(`/api/v1/me/tokens/${enc(id)}`, { method: "DELETE" });

export interface AuditFilters {
  user?: string;
  action?: string;
  cluster?: string;
  result?: string;
  from?: string;
  to?: string;
}
/** One page of the audit log, newest first; pass the previous page's `nextCursor` for the next one. */
export const fetchAudit = (filters: AuditFilters, cursor?: string) => {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  if (cursor) query.set("cursor", cursor);
  return apiFetch<AuditPage>(`/api/v1/audit?${query}`);
};
