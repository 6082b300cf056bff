import { randomBytes } from "node:crypto";
import { NextRequest } from "next/server";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import * as livezRoute from "@/app/livez/route";
import * as readyzRoute from "@/app/readyz/route";
import { ensureAppRole } from "@/lib/server/db/app-role";
import { disconnectDb } from "@/lib/server/db/client";
import { readMigrations, defaultMigrationsDir } from "@/lib/server/db/migrate";

/** /livez and /readyz through their real route handlers, on this file's own migrated database. */

const ownerUrl = process.env.DATABASE_URL!;

async function call(handler: (request: NextRequest) => Promise<Response>, path: string) {
  const response = await handler(new NextRequest(new URL(path, "http://localhost:3000")));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function asOwner<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function useDatabase(url: string): Promise<void> {
  await disconnectDb();
  process.env.DATABASE_URL = url;
}

afterAll(() => useDatabase(ownerUrl));

describe("GET /livez and /readyz", () => {
  it("/livez answers 200 without asking the database", async () => {
    await useDatabase("postgresql://nobody:wrong@127.0.0.1:1/nothing");
    try {
      expect(await call(livezRoute.GET, "/livez")).toEqual({ status: 200, body: { status: "ok" } });
      const ready = await call(readyzRoute.GET, "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe("not ready");
      expect(String(ready.body.reason)).not.toContain("nobody");
    } finally {
      await useDatabase(ownerUrl);
    }
  });

  it("/readyz is 200 with every migration applied, also for the app role that may read only their names", async () => {
    expect(await call(readyzRoute.GET, "/readyz")).toEqual({ status: 200, body: { status: "ready" } });
    const role = `ready_app_${randomBytes(4).toString("hex")}`;
    const password = randomBytes(12).toString("hex");
    await ensureAppRole(ownerUrl, { role, password });
    const appUrl = new URL(ownerUrl);
    appUrl.username = role;
    appUrl.password = password;
    await useDatabase(appUrl.toString());
    try {
      expect(await call(readyzRoute.GET, "/readyz")).toEqual({ status: 200, body: { status: "ready" } });
    } finally {
      await useDatabase(ownerUrl);
    }
  });

  it("/readyz is 503 naming the reason while a shipped migration is not applied", async () => {
    const last = (await readMigrations(defaultMigrationsDir())).at(-1)!.name;
    const removed = await asOwner((client) =>
      client.query(`DELETE FROM "_prisma_migrations" WHERE migration_name = $1 RETURNING *`, [last]),
    );
    expect(removed.rowCount).toBe(1);
    try {
      const ready = await call(readyzRoute.GET, "/readyz");
      expect(ready).toEqual({
        status: 503,
        body: { status: "not ready", reason: "1 migration(s) not applied; run the database migration step" },
      });
    } finally {
      const row = removed.rows[0] as Record<string, unknown>;
      const columns = Object.keys(row);
      await asOwner((client) =>
        client.query(
          `INSERT INTO "_prisma_migrations" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
          columns.map((c) => row[c]),
        ),
      );
    }
    expect((await call(readyzRoute.GET, "/readyz")).status).toBe(200);
  });

  it("refuses query parameters like every route", async () => {
    const response = await call(livezRoute.GET, "/livez?verbose=1");
    expect(response.status).toBe(400);
  });
});
