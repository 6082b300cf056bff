import { describe, expect, it } from "vitest";
import { DecryptionError, open, rewrap, seal } from "./envelope";
import { generateKey, parseKey, type Keyring } from "./keyring";

const keyringOf = (...keys: string[]): Keyring => {
  const parsed = keys.map((key) => parseKey(key, "test"));
  return { current: parsed[0]!, all: parsed, source: { kind: "env" } };
};

describe("envelope encryption", () => {
  const secret = Buffer.from("token-that-must-stay-secret");

  it("round-trips and never contains the plaintext", () => {
    const keyring = keyringOf(generateKey());
    const envelope = seal(keyring, secret, "cluster-a");
    expect(JSON.stringify(envelope)).not.toContain("token-that-must-stay-secret");
    expect(open(keyring, envelope, "cluster-a").toString()).toBe(secret.toString());
  });

  it("uses a fresh data key and IV per record", () => {
    const keyring = keyringOf(generateKey());
    const a = seal(keyring, secret, "cluster-a");
    const b = seal(keyring, secret, "cluster-a");
    expect(a.wk).not.toBe(b.wk);
    expect(a.ct).not.toBe(b.ct);
  });

  it("binds the record id: a ciphertext moved to another record fails", () => {
    const keyring = keyringOf(generateKey());
    const envelope = seal(keyring, secret, "cluster-a");
    expect(() => open(keyring, envelope, "cluster-b")).toThrow(DecryptionError);
  });

  it("detects tampering", () => {
    const keyring = keyringOf(generateKey());
    const envelope = seal(keyring, secret, "cluster-a");
    const flipped = Buffer.from(envelope.ct, "base64");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => open(keyring, { ...envelope, ct: flipped.toString("base64") }, "cluster-a")).toThrow(DecryptionError);
  });

  it("re-wraps under a new master key while the old key still decrypts", () => {
    const oldKey = generateKey();
    const newKey = generateKey();
    const before = seal(keyringOf(oldKey), secret, "cluster-a");
    const during = keyringOf(newKey, oldKey);
    expect(open(during, before, "cluster-a").toString()).toBe(secret.toString());
    const after = rewrap(during, before, "cluster-a");
    expect(after.kid).toBe(during.current.id);
    expect(after.ct).toBe(before.ct);
    expect(open(keyringOf(newKey), after, "cluster-a").toString()).toBe(secret.toString());
    expect(() => open(keyringOf(oldKey), after, "cluster-a")).toThrow(DecryptionError);
  });

  it("rejects malformed keys with the way to make one", () => {
    expect(() => parseKey("short", "ARCHIPELAGO_MASTER_KEY")).toThrow(/openssl rand -base64 32/);
  });
});
