import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import {
  fetchAudit,
  fetchTeam,
  fetchTeamAccess,
  fetchTeams,
  fetchTokens,
  fetchUsers,
  type AuditFilters,
} from "@/lib/api/access";

export const accessKeys = {
  teams: ["teams"] as const,
  team: (id: string) => ["teams", id] as const,
  teamAccess: (id: string) => ["teams", id, "access"] as const,
  users: ["users"] as const,
  tokens: ["me", "tokens"] as const,
  audit: (filters: AuditFilters) => ["audit", filters] as const,
};

export const teamsQuery = () => queryOptions({ queryKey: accessKeys.teams, queryFn: fetchTeams });
export const teamQuery = (id: string) => queryOptions({ queryKey: accessKeys.team(id), queryFn: () => fetchTeam(id) });
export const teamAccessQuery = (id: string) =>
  queryOptions({ queryKey: accessKeys.teamAccess(id), queryFn: () => fetchTeamAccess(id), staleTime: 10_000 });
export const usersQuery = () => queryOptions({ queryKey: accessKeys.users, queryFn: fetchUsers });
export const tokensQuery = () => queryOptions({ queryKey: accessKeys.tokens, queryFn: fetchTokens });
export const auditQuery = (filters: AuditFilters) =>
  infiniteQueryOptions({
    queryKey: accessKeys.audit(filters),
    queryFn: ({ pageParam }) => fetchAudit(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
