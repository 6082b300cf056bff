import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hiddenMasker, isSecretRef, maskObject, requestMasker } from "./secret-mask";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const value = "hunter2-canary";
const b64 = Buffer.from(value).toString("base64");
const secret = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name: "s",
    annotations: { [LAST_APPLIED]: JSON.stringify({ stringData: { password: value } }), keep: "me" },
  },
  data: { password: b64 },
  stringData: { other: value },
  type: "Opaque",
  somethingNew: { value },
};

describe("maskObject", () => {
  it("knows a Secret from its reference, not from the object (a comparable copy has no kind)", () => {
    const copy = { metadata: secret.metadata, data: secret.data };
    const text = JSON.stringify(maskObject({ apiVersion: "v1", kind: "Secret" }, copy));
    expect(text).not.toContain(b64);
    expect(text).not.toContain(value);
  });
  it("masks data, stringData and last-applied, and drops fields it does not know", () => {
    const masked = maskObject({ kind: "Secret", apiVersion: "v1" }, secret, hiddenMasker);
    expect(masked).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", annotations: { [LAST_APPLIED]: "(hidden)", keep: "me" } },
      data: { password: "(hidden)" },
      stringData: { other: "(hidden)" },
      type: "Opaque",
    });
  });
  it("masks last-applied on every kind", () => {
    const configMap = { metadata: { annotations: { [LAST_APPLIED]: `{"data":{"x":"${value}"}}` } }, data: { x: "y" } };
    const masked = JSON.stringify(maskObject({ apiVersion: "v1", kind: "ConfigMap" }, configMap));
    expect(masked).not.toContain(value);
    expect(masked).toContain('"x":"y"');
  });
  it("fingerprints are keyed per request: equal within one, different across, never a plain digest", () => {
    const one = requestMasker();
    const two = requestMasker();
    const a = maskObject({ kind: "Secret" }, { data: { k: b64 } }, one);
    const b = maskObject({ kind: "Secret" }, { stringData: { k: value } }, one);
    const c = maskObject({ kind: "Secret" }, { data: { k: b64 } }, two);
    expect((a.data as Record<string, string>).k).toBe((b.stringData as Record<string, string>).k);
    expect((a.data as Record<string, string>).k).not.toBe((c.data as Record<string, string>).k);
    for (const digest of [value, b64].map((text) => createHash("sha256").update(text).digest("hex")))
      expect(JSON.stringify(a)).not.toContain(digest.slice(0, 8));
  });
  it("only core v1 Secrets are Secrets", () => {
    expect(isSecretRef({ kind: "Secret", apiVersion: "v1" })).toBe(true);
    expect(isSecretRef({ kind: "Secret" })).toBe(true);
    expect(isSecretRef({ kind: "Secret", apiVersion: "example.com/v1" })).toBe(false);
    expect(isSecretRef({ kind: "ConfigMap", apiVersion: "v1" })).toBe(false);
  });
});
