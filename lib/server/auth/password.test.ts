import { describe, expect, it } from "vitest";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password";

describe("password hashing", () => {
  it("produces argon2id hashes with m=19456 KiB, t=2, p=1", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("verifies the right password and rejects a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    await expect(verifyPassword(hash, "correct horse battery")).resolves.toBe(true);
    await expect(verifyPassword(hash, "correct horse batterY")).resolves.toBe(false);
  });

  it("treats a corrupt hash as a failed check rather than an error", async () => {
    await expect(verifyPassword("not-a-hash", "anything")).resolves.toBe(false);
  });

  it("burns a check for unknown accounts and always fails", async () => {
    await expect(burnPasswordCheck("anything")).resolves.toBe(false);
  });
});
