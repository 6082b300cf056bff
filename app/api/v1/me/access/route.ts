import { route } from "@/lib/server/http/route";

/** The caller's teams and grants as the server applies them (cluster ids resolved now). */
export const GET = route({ access: "user" }, async ({ profile }) => {
  const access = await profile();
  return {
    isAdmin: access.isAdmin,
    teams: access.teamNames,
    grants: access.grants.map((grant) => ({
      team: grant.teamName,
      clusterIds: [...grant.clusterIds],
      namespaces: grant.namespaces,
      clusterScoped: grant.clusterScoped,
      level: grant.level,
      secrets: grant.secrets,
    })),
  };
});
