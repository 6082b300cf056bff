import { beforeAll, describe, expect, it } from "vitest";
import * as viewsRoute from "@/app/api/v1/inventory/views/route";
import * as viewRoute from "@/app/api/v1/inventory/views/[id]/route";
import type { InventoryViewView } from "@/lib/api/inventory-view-types";
import { createSession } from "@/lib/server/auth/sessions";
import { db } from "@/lib/server/db/client";
import { callRoute } from "@/lib/testing/call-route";
import { resetDatabase } from "@/lib/testing/reset-database";
import { createTestUser } from "@/lib/testing/users";

/** Saved inventory views through the real route handlers and Postgres: own, team-shared, hidden. */

async function session(email: string, isAdmin = false) {
  const user = await createTestUser({ email, isAdmin });
  return (await createSession(user.id, { clientIp: "127.0.0.1", userAgent: "test" })).token;
}

const create = (session: string, body: unknown) =>
  callRoute(viewsRoute.POST, { method: "POST", path: "/api/v1/inventory/views", session, body });
const list = async (session: string) => {
  const response = await callRoute(viewsRoute.GET, { path: "/api/v1/inventory/views", session });
  expect(response.status).toBe(200);
  return (response.body as { views: InventoryViewView[] }).views;
};
const remove = (session: string, id: string) =>
  callRoute(viewRoute.DELETE, { method: "DELETE", path: `/api/v1/inventory/views/${id}`, params: { id }, session });

let ann = ""; // team A
let amos = ""; // team A
let bea = ""; // team B
let admin = ""; // no team
let teamA = "";
let teamB = "";

beforeAll(async () => {
  await resetDatabase();
  ann = await session("ann@example.com");
  amos = await session("amos@example.com");
  bea = await session("bea@example.com");
  admin = await session("root@example.com", true);
  teamA = (await db().team.create({ data: { name: "views-a" } })).id;
  teamB = (await db().team.create({ data: { name: "views-b" } })).id;
  for (const [team, email] of [
    [teamA, "ann@example.com"],
    [teamA, "amos@example.com"],
    [teamB, "bea@example.com"],
  ] as const) {
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    await db().membership.create({ data: { teamId: team, userId: user.id } });
  }
}, 120_000);

describe("saved inventory views", () => {
  it("keeps a personal view to its owner and shares a team view with the team only", async () => {
    const own = await create(ann, { name: "my failing", filters: { view: "workloads", health: "failed" } });
    expect(own.status).toBe(201);
    const shared = await create(ann, {
      name: "payments",
      teamId: teamA,
      filters: { view: "configmaps", namespace: "payments-*", clusterSelector: "env=prod" },
    });
    expect(shared.status).toBe(201);
    const sharedView = (shared.body as { view: InventoryViewView }).view;
    expect(sharedView).toMatchObject({ teamId: teamA, teamName: "views-a", ownerEmail: "ann@example.com", mine: true });

    expect((await list(ann)).map((v) => v.name)).toEqual(["my failing", "payments"]);
    // Amos (team A) sees the shared one, not Ann's own, and it is not his.
    const amosViews = await list(amos);
    expect(amosViews.map((v) => [v.name, v.mine])).toEqual([["payments", false]]);
    expect(amosViews[0]!.filters).toEqual({
      view: "configmaps",
      namespace: "payments-*",
      clusterSelector: "env=prod",
      sort: "cluster",
      order: "asc",
    });
    // Another team and an admin outside it see none of them.
    expect(await list(bea)).toEqual([]);
    expect(await list(admin)).toEqual([]);
  });

  it("refuses a name its owner already uses, at the field, and saves nothing", async () => {
    const before = await db().inventoryView.count();
    const again = await create(ann, { name: " my failing ", filters: { view: "secrets" } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { fields: { name: ['You already have a view named "my failing"'] } } });
    expect(await db().inventoryView.count()).toBe(before);
    // Per owner: someone else may use the same name.
    expect((await create(bea, { name: "my failing", filters: { view: "workloads" } })).status).toBe(201);
  });

  it("answers bad input with a 400 naming the field", async () => {
    const empty = await create(ann, { name: "  ", filters: {} });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ error: { fields: { name: expect.any(Array) } } });
    const badFilter = await create(ann, { name: "x", filters: { health: "sparkly" } });
    expect(badFilter.status).toBe(400);
    expect(JSON.stringify(badFilter.body)).toContain("health");
    const unknownField = await create(ann, { name: "x", filters: { password: "no" } });
    expect(unknownField.status).toBe(400);
    // Sharing with a team the caller is not in answers like an unknown team.
    const otherTeam = await create(ann, { name: "x", teamId: teamB, filters: {} });
    expect(otherTeam.status).toBe(400);
    expect(otherTeam.body).toMatchObject({ error: { fields: { teamId: ["No team of yours with this id"] } } });
    expect(await db().inventoryView.count({ where: { name: "x" } })).toBe(0);
  });

  it("lets only the owner delete; another team cannot see or delete it (404)", async () => {
    const id = (await list(ann)).find((v) => v.name === "payments")!.id;
    expect((await remove(bea, id)).status).toBe(404);
    expect((await remove(admin, id)).status).toBe(404);
    expect((await remove(amos, id)).status).toBe(403);
    expect((await remove(ann, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await remove(ann, "not-an-id")).status).toBe(404);
    expect((await remove(ann, id)).status).toBe(204);
    expect((await list(amos)).map((v) => v.name)).toEqual([]);
    expect((await remove(ann, id)).status).toBe(404);
  });
});
