import { describe, expect, it } from "vitest";
import { requestDigester } from "./secret-mask";
import { secretKeyChanges } from "./secret-keys";

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("per-key changes of a Secret", () => {
  it("says added, changed, unchanged, removed, with fingerprints that tell values apart in one answer only", () => {
    const live = { data: { same: b64("s"), old: b64("gone"), moved: b64("v1") } };
    const after = { data: { same: b64("s"), moved: b64("v2") }, stringData: { fresh: "new" } };
    const digest = requestDigester();
    const changes = secretKeyChanges(live, after, digest);
    expect(changes.map(({ key, change }) => [key, change])).toEqual([
      ["fresh", "added"],
      ["moved", "changed"],
      ["old", "removed"],
      ["same", "unchanged"],
    ]);
    expect(changes.find((c) => c.key === "old")!.fingerprint).toBeNull();
    for (const change of changes.filter((c) => c.fingerprint)) expect(change.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    // Another answer: another key, so the same value gets another fingerprint.
    const again = secretKeyChanges(live, after, requestDigester());
    expect(again.find((c) => c.key === "same")!.fingerprint).not.toBe(
      changes.find((c) => c.key === "same")!.fingerprint,
    );
    // Equal values in one answer share a fingerprint; no value or plain digest appears.
    const text = JSON.stringify(changes);
    for (const value of ["s", "v2", "new"].map(b64)) expect(text).not.toContain(value);
  });
});
