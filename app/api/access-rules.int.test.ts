import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import * as clusterRoute from "@/app/api/v1/clusters/[id]/route";
import * as clustersRoute from "@/app/api/v1/clusters/route";
import * as grantsRoute from "@/app/api/v1/teams/[id]/grants/route";
import * as membersRoute from "@/app/api/v1/teams/[id]/members/route";
import * as meRoute from "@/app/api/v1/me/route";
import * as tokenRoute from "@/app/api/v1/me/tokens/[id]/route";
import * as tokensRoute from "@/app/api/v1/me/tokens/route";
import * as userRoute from "@/app/api/v1/users/[id]/route";
import { db } from "@/lib/server/db/client";
import { createAccessFixtures, type AccessFixtures } from "@/lib/testing/access-fixtures";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { testbed } from "@/lib/testing/testbed-clusters";

let tb: Testbed;
let f: AccessFixtures;

beforeAll(async () => {
  tb = await testbed();
});
beforeEach(async () => {
  await resetDatabase();
  f = await createAccessFixtures(tb);
});

type ClusterList = { clusters: Array<{ name: string }>; counts: { total: number } };

describe("visibility", () => {
  it("lists, searches and counts only the clusters a caller's grants cover", async () => {
    const list = async (session: string, path = "/api/v1/clusters") =>
      (await callRoute(clustersRoute.GET, { path, session })).body as ClusterList;
    expect((await list(f.users.view.session)).clusters.map((c) => c.name)).toEqual(["cluster-a"]);
    expect((await list(f.users.view.session)).counts.total).toBe(1);
    expect((await list(f.users.other.session)).clusters.map((c) => c.name)).toEqual(["cluster-b"]);
    expect((await list(f.users.none.session)).counts.total).toBe(0);
    expect((await list(f.users.view.session, "/api/v1/clusters?name=cluster-b")).counts.total).toBe(0);
    expect((await list(f.users.view.session, "/api/v1/clusters?selector=team%3Dbeta")).clusters).toEqual([]);
    expect((await list(f.users.admin.session)).counts.total).toBe(2);
  });

  it("answers another team's cluster exactly like a cluster that does not exist", async () => {
    const other = await callRoute(clusterRoute.GET, {
      path: `/api/v1/clusters/${f.clusterB.id}`,
      params: { id: f.clusterB.id },
      session: f.users.view.session,
    });
    const missing = await callRoute(clusterRoute.GET, {
      path: "/api/v1/clusters/00000000-0000-4000-8000-000000000000",
      params: { id: "00000000-0000-4000-8000-000000000000" },
      session: f.users.view.session,
    });
    const strip = (body: unknown) => ({ ...(body as { error: object }).error, requestId: undefined });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(strip(other.body)).toEqual(strip(missing.body));
  });

  it("a selector grant follows admin-set labels as they are now", async () => {
    // Relabelling cluster-b into alpha's selector makes it visible to alpha's viewer at once.
    await db().cluster.update({ where: { id: f.clusterB.id }, data: { labels: { team: "alpha" } } });
    const list = (await callRoute(clustersRoute.GET, { path: "/api/v1/clusters", session: f.users.view.session }))
      .body as ClusterList;
    expect(list.clusters.map((c) => c.name).sort()).toEqual(["cluster-a", "cluster-b"]);
  });
});

describe("API tokens", () => {
  it("work as a bearer with exactly the user's access, and stop when revoked", async () => {
    const created = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/v1/me/tokens",
      body: { name: "ci", expiresInDays: 30 },
      session: f.users.view.session,
    });
    expect(created.status).toBe(201);
    const { token, apiToken } = created.body as { token: string; apiToken: { id: string } };
    expect(token).toMatch(/^arch_/);
    const listed = (await callRoute(tokensRoute.GET, { path: "/api/v1/me/tokens", session: f.users.view.session }))
      .body;
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(await db().apiToken.count({ where: { tokenHash: token } })).toBe(0);

    const viaToken = (await callRoute(clustersRoute.GET, { path: "/api/v1/clusters", bearer: token }))
      .body as ClusterList;
    expect(viaToken.clusters.map((c) => c.name)).toEqual(["cluster-a"]);
    // Bearer requests need no Origin: they are not ambient credentials.
    expect(
      (
        await callRoute(tokenRoute.DELETE, {
          method: "DELETE",
          path: `/api/v1/me/tokens/${apiToken.id}`,
          params: { id: apiToken.id },
          bearer: token,
        })
      ).status,
    ).toBe(200);
    expect((await callRoute(meRoute.GET, { path: "/api/v1/me", bearer: token })).status).toBe(401);
  });

  it("expired tokens and garbage are refused with 401", async () => {
    await db().apiToken.updateMany({
      where: { id: f.users.view.tokenId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await callRoute(meRoute.GET, { path: "/api/v1/me", bearer: f.users.view.token })).status).toBe(401);
    expect((await callRoute(meRoute.GET, { path: "/api/v1/me", bearer: "arch_nope" })).status).toBe(401);
    expect((await callRoute(meRoute.GET, { path: "/api/v1/me", bearer: f.users.other.token })).status).toBe(200);
  });

  it("another user's token id answers 404", async () => {
    const response = await callRoute(tokenRoute.DELETE, {
      method: "DELETE",
      path: `/api/v1/me/tokens/${f.users.admin.tokenId}`,
      params: { id: f.users.admin.tokenId },
      session: f.users.view.session,
    });
    expect(response.status).toBe(404);
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: f.users.admin.tokenId } })).revokedAt).toBeNull();
  });
});

describe("disabling a user", () => {
  it("stops their sessions and tokens at once", async () => {
    const disable = await callRoute(userRoute.PATCH, {
      method: "PATCH",
      path: `/api/v1/users/${f.users.view.id}`,
      params: { id: f.users.view.id },
      body: { disabled: true },
      session: f.users.admin.session,
    });
    expect(disable.status).toBe(200);
    expect((await callRoute(meRoute.GET, { path: "/api/v1/me", session: f.users.view.session })).status).toBe(401);
    expect((await callRoute(meRoute.GET, { path: "/api/v1/me", bearer: f.users.view.token })).status).toBe(401);
    expect(await db().session.count({ where: { userId: f.users.view.id } })).toBe(0);
  });

  it("refuses to demote or disable the last admin, with a reason", async () => {
    for (const body of [{ isAdmin: false }, { disabled: true }]) {
      const response = await callRoute(userRoute.PATCH, {
        method: "PATCH",
        path: `/api/v1/users/${f.users.admin.id}`,
        params: { id: f.users.admin.id },
        body,
        session: f.users.admin.session,
      });
      expect(response.status).toBe(409);
      expect(JSON.stringify(response.body)).toMatch(/last active admin/);
    }
    expect((await db().user.findUniqueOrThrow({ where: { id: f.users.admin.id } })).isAdmin).toBe(true);
  });
});

describe("bad input (400 naming the field, nothing stored)", () => {
  const postGrant = (body: unknown) =>
    callRoute(grantsRoute.POST, {
      method: "POST",
      path: `/api/v1/teams/${f.teamAlpha}/grants`,
      params: { id: f.teamAlpha },
      body,
      session: f.users.admin.session,
    });

  it.each([
    [
      "an invalid label selector",
      { clusterSelector: "team in (", namespaces: ["a"], level: "view" },
      "clusterSelector",
    ],
    ["an invalid glob", { clusterSelector: "team=alpha", namespaces: ["Pay[ments]"], level: "view" }, "namespaces.0"],
    ["an unknown level", { clusterSelector: "team=alpha", namespaces: ["a"], level: "owner" }, "level"],
    ["no clusters at all", { namespaces: ["a"], level: "view" }, "clusterIds"],
    ["no namespaces", { clusterSelector: "team=alpha", namespaces: [], level: "view" }, "namespaces"],
  ])("a grant with %s", async (_label, body, field) => {
    const before = await db().grant.count();
    const response = await postGrant(body);
    expect(response.status).toBe(400);
    expect((response.body as { error: { fields: Record<string, string[]> } }).error.fields).toHaveProperty([field]);
    expect(await db().grant.count()).toBe(before);
  });

  it("a grant on a cluster that does not exist", async () => {
    const before = await db().grant.count();
    const response = await postGrant({
      clusterIds: [f.clusterA.id, "00000000-0000-4000-8000-000000000000"],
      namespaces: ["a"],
      level: "view",
    });
    expect(response.status).toBe(400);
    expect(
      (response.body as { error: { fields: Record<string, string[]> } }).error.fields["clusterIds.1"]?.[0],
    ).toMatch(/No cluster/);
    expect(await db().grant.count()).toBe(before);
  });

  it("a user added twice", async () => {
    const add = () =>
      callRoute(membersRoute.POST, {
        method: "POST",
        path: `/api/v1/teams/${f.teamAlpha}/members`,
        params: { id: f.teamAlpha },
        body: { email: f.users.other.email },
        session: f.users.admin.session,
      });
    expect((await add()).status).toBe(201);
    const again = await add();
    expect(again.status).toBe(409);
    expect((again.body as { error: { fields: Record<string, string[]> } }).error.fields.email?.[0]).toMatch(
      /already a member/,
    );
  });
});
