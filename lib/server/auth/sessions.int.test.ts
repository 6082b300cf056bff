import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { resetDatabase } from "@/lib/testing/reset-database";
import { createTestUser } from "@/lib/testing/users";
import { sessionIdFromToken } from "./session-token";
import {
  createSession,
  deleteExpiredSessions,
  deleteSessionByToken,
  deleteSessionsOfUser,
  validateSession,
} from "./sessions";

const meta = { clientIp: "127.0.0.1", userAgent: "vitest" };

beforeEach(async () => {
  await resetDatabase();
  process.env.ARCHIPELAGO_SESSION_IDLE_MINUTES = "30";
  process.env.ARCHIPELAGO_SESSION_MAX_HOURS = "8";
  resetEnvForTests();
});

afterEach(() => {
  delete process.env.ARCHIPELAGO_SESSION_IDLE_MINUTES;
  delete process.env.ARCHIPELAGO_SESSION_MAX_HOURS;
  resetEnvForTests();
});

describe("sessions", () => {
  it("validates a fresh session and returns its user", async () => {
    const user = await createTestUser();
    const { token, expiresAt } = await createSession(user.id, meta);
    const session = await validateSession(token);
    expect(session?.user).toEqual(user);
    // Absolute lifetime comes from configuration (8 h here).
    expect(Math.abs(expiresAt.getTime() - Date.now() - 8 * 3_600_000)).toBeLessThan(60_000);
  });

  it("rejects a tampered token", async () => {
    const user = await createTestUser();
    const { token } = await createSession(user.id, meta);
    const tampered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect(await validateSession(tampered)).toBeNull();
    expect(await validateSession("garbage")).toBeNull();
    expect(await validateSession(undefined)).toBeNull();
  });

  it("ends a session idle for longer than the idle timeout, and deletes it", async () => {
    const user = await createTestUser();
    const { token } = await createSession(user.id, meta);
    await db().session.update({
      where: { id: sessionIdFromToken(token) },
      data: { lastSeenAt: new Date(Date.now() - 31 * 60_000) },
    });
    expect(await validateSession(token)).toBeNull();
    expect(await db().session.count()).toBe(0);
  });

  it("ends a session past its absolute lifetime even when active", async () => {
    const user = await createTestUser();
    const { token } = await createSession(user.id, meta);
    await db().session.update({
      where: { id: sessionIdFromToken(token) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await validateSession(token)).toBeNull();
  });

  it("refreshes last-seen so an active user is not idled out", async () => {
    const user = await createTestUser();
    const { token } = await createSession(user.id, meta);
    const id = sessionIdFromToken(token);
    await db().session.update({ where: { id }, data: { lastSeenAt: new Date(Date.now() - 20 * 60_000) } });
    expect(await validateSession(token)).not.toBeNull();
    const touched = await db().session.findUniqueOrThrow({ where: { id } });
    expect(Date.now() - touched.lastSeenAt.getTime()).toBeLessThan(60_000);
  });

  it("stops a disabled user's sessions at once", async () => {
    const user = await createTestUser();
    const { token } = await createSession(user.id, meta);
    await db().user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await validateSession(token)).toBeNull();
  });

  it("deletes sessions server-side on sign-out and for a user", async () => {
    const user = await createTestUser();
    const a = await createSession(user.id, meta);
    await createSession(user.id, meta);
    await deleteSessionByToken(a.token);
    expect(await validateSession(a.token)).toBeNull();
    expect(await deleteSessionsOfUser(user.id)).toBe(1);
  });

  it("sweeps expired and idle sessions", async () => {
    const user = await createTestUser();
    const live = await createSession(user.id, meta);
    const idle = await createSession(user.id, meta);
    await db().session.update({
      where: { id: sessionIdFromToken(idle.token) },
      data: { lastSeenAt: new Date(Date.now() - 3_600_000) },
    });
    expect(await deleteExpiredSessions()).toBe(1);
    expect(await validateSession(live.token)).not.toBeNull();
  });
});
