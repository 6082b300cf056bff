import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/errors/app-error";
import { resetDatabase } from "@/lib/testing/reset-database";
import { bootstrapAdminFromEnv, createFirstAdmin, needsFirstAdmin } from "./first-admin";
import { verifyPassword } from "./password";

beforeEach(resetDatabase);

describe("first admin", () => {
  it("is needed only while no user exists", async () => {
    expect(await needsFirstAdmin()).toBe(true);
    await createFirstAdmin({ email: "ada@example.com", name: "Ada", password: "long enough pw" });
    expect(await needsFirstAdmin()).toBe(false);
  });

  it("can be created exactly once, even by concurrent requests", async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        createFirstAdmin({ email: `admin${i}@example.com`, name: "Admin", password: "long enough pw" }),
      ),
    );
    expect(attempts.filter((attempt) => attempt.status === "fulfilled")).toHaveLength(1);
    for (const attempt of attempts.filter((a) => a.status === "rejected")) {
      expect((attempt as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
      expect(((attempt as PromiseRejectedResult).reason as AppError).code).toBe("setup_complete");
    }
    expect(await db().user.count()).toBe(1);
  });

  it("is created from ARCHIPELAGO_ADMIN_EMAIL / _PASSWORD with an argon2id hash", async () => {
    const admin = await bootstrapAdminFromEnv({ email: "Root@Example.com", password: "a very long password" });
    expect(admin).toMatchObject({ email: "root@example.com", isAdmin: true });
    const stored = await db().user.findUniqueOrThrow({
      where: { email: "root@example.com" },
      select: { passwordHash: true },
    });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored.passwordHash, "a very long password")).toBe(true);
    // A second start with the same variables changes nothing.
    expect(await bootstrapAdminFromEnv({ email: "root@example.com", password: "a very long password" })).toBeNull();
    expect(await db().user.count()).toBe(1);
  });

  it("names the variable when the environment is invalid", async () => {
    await expect(bootstrapAdminFromEnv({ email: "root@example.com", password: "short" })).rejects.toThrow(
      /ARCHIPELAGO_ADMIN_PASSWORD/,
    );
    await expect(bootstrapAdminFromEnv({ email: "nope", password: "a very long password" })).rejects.toThrow(
      /ARCHIPELAGO_ADMIN_EMAIL/,
    );
    await expect(bootstrapAdminFromEnv({ email: "root@example.com" })).rejects.toThrow(/both/);
    expect(await db().user.count()).toBe(0);
  });

  it("never returns the password hash from ordinary queries", async () => {
    await createFirstAdmin({ email: "ada@example.com", name: "Ada", password: "long enough pw" });
    const user = await db().user.findFirstOrThrow();
    expect(user).not.toHaveProperty("passwordHash");
  });
});
