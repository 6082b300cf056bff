import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ensureNextBuildInBackground } from "@/lib/cli/steps/next-build";
import { createSession } from "@/lib/server/auth/sessions";
import { resetEnvForTests } from "@/lib/server/config/env";
import { generateKey, readKeyFile, writeKeyFile } from "@/lib/server/crypto/keyring";
import { keyring, resetKeyring } from "@/lib/server/crypto/master-keyring";
import { db } from "@/lib/server/db/client";
import { listenForKeyringChanges, type KeyringListener } from "@/lib/server/db/keyring-signal";
import { probeCluster } from "@/lib/server/kube/probe";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { logger } from "@/lib/server/log/logger";
import { startAppProcess, type AppProcess } from "@/lib/testing/app-process";
import { freePort } from "@/lib/testing/test-database";
import { registrationFor, testbed } from "@/lib/testing/testbed-clusters";
import { createTestUser } from "@/lib/testing/users";
import type { Testbed } from "@/testbed/harness";
import { transportFor } from "./connection";
import { registerCluster } from "./register";

/**
 * Issue 20, point 1 with an external database and two instances sharing one key file
 * (ARCHIPELAGO_MASTER_KEY_FILE, as a mounted Secret would be): this test process (instance A,
 * listening for rotations like a server does) and a server process (instance B). Each seals a
 * credential, `keys:rotate` runs as a third process, and without a restart each instance opens
 * what the other sealed and seals under the new key; both heard the rotation over Postgres.
 */

let tb: Testbed;
let app: AppProcess;
let listener: KeyringListener;
let keyFile: string;
let cookie: string;
const infoLogs: unknown[][] = [];

async function onB(method: string, url: string, body?: unknown) {
  const base = `http://127.0.0.1:${app.port}`;
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      origin: base,
      cookie,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function probeOnA(clusterId: string) {
  forgetAllTransports();
  return probeCluster(await transportFor(clusterId));
}

beforeAll(async () => {
  await ensureNextBuildInBackground();
  tb = await testbed();
  keyFile = path.join(mkdtempSync(path.join(tmpdir(), "shared-key-")), "master.key");
  writeKeyFile(keyFile, [generateKey()]);
  delete process.env.ARCHIPELAGO_MASTER_KEY;
  process.env.ARCHIPELAGO_MASTER_KEY_FILE = keyFile;
  resetEnvForTests();
  resetKeyring();
  vi.spyOn(logger, "info").mockImplementation(((...args: unknown[]) => {
    infoLogs.push(args);
  }) as never);
  listener = listenForKeyringChanges(process.env.DATABASE_URL!);
  app = await startAppProcess(await freePort(), {
    DATABASE_URL: process.env.DATABASE_URL!,
    ARCHIPELAGO_MASTER_KEY: "",
    ARCHIPELAGO_MASTER_KEY_FILE: keyFile,
    ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: "3600",
  });
  const admin = await createTestUser({ isAdmin: true, email: "instances@example.com" });
  cookie = `archipelago_session=${(await createSession(admin.id, { clientIp: "127.0.0.1", userAgent: "t" })).token}`;
}, 900_000);

afterAll(async () => {
  await app?.kill("SIGTERM");
  await listener?.stop();
  vi.restoreAllMocks();
});

describe("keys:rotate with an external database and two instances", () => {
  it("each instance opens what the other sealed, before and after, without a restart", async () => {
    const oldKeyId = keyring().current.id;
    const sealedByA = (await registerCluster(registrationFor(tb, "testbed-1", "by-a"))).id;
    const byB = await onB("POST", "/api/v1/clusters", registrationFor(tb, "testbed-2", "by-b"));
    expect(byB.status, JSON.stringify(byB.body)).toBe(201);
    const sealedByB = (byB.body.cluster as { id: string }).id;

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TSX_TSCONFIG_PATH: "tsconfig.scripts.json",
      ARCHIPELAGO_MASTER_KEY_FILE: keyFile,
      LOG_LEVEL: "warn",
    };
    delete env.ARCHIPELAGO_MASTER_KEY;
    const rotated = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", "lib/cli/keys-rotate.ts"], { env }, (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, out: `${stdout}${stderr}` }),
      ),
    );
    expect(rotated.code, rotated.out).toBe(0);
    const newKeyId = readKeyFile(keyFile)[0]!.id;
    expect(newKeyId).not.toBe(oldKeyId);

    // Instance A heard the rotation over Postgres (it re-reads its source on the announcement).
    const announced = () =>
      infoLogs.some(
        ([fields, message]) =>
          message === "master keyring reloaded" &&
          String((fields as { reason?: string }).reason).includes(`announced key ${newKeyId}`),
      );
    const deadline = Date.now() + 30_000;
    while (!announced() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(announced()).toBe(true);

    // A opens B's (re-wrapped) credential and seals under the new key; B does the same the other way.
    expect((await probeOnA(sealedByB)).ok).toBe(true);
    const sealedByAAfter = (await registerCluster(registrationFor(tb, "testbed-3", "by-a-after"))).id;
    for (const id of [sealedByA, sealedByAAfter]) {
      const tested = await onB("POST", `/api/v1/clusters/${id}/test`);
      expect(tested.status, JSON.stringify(tested.body)).toBe(200);
      expect((tested.body.result as { ok: boolean }).ok, JSON.stringify(tested.body)).toBe(true);
    }
    const byBAfter = await onB("POST", "/api/v1/clusters", registrationFor(tb, "testbed-1-cert", "by-b-after"));
    expect(byBAfter.status, JSON.stringify(byBAfter.body)).toBe(201);
    expect((await probeOnA((byBAfter.body.cluster as { id: string }).id)).ok).toBe(true);
    const kids = await db().$queryRaw<Array<{ kid: string }>>`SELECT credential_envelope->>'kid' AS kid FROM clusters`;
    expect(new Set(kids.map((row) => row.kid))).toEqual(new Set([newKeyId]));
  }, 600_000);
});
