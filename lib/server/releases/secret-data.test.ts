import { describe, expect, it } from "vitest";
import { secretAsData } from "./secret-data";

const secret = (extra: Record<string, unknown>) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "s", namespace: "n" },
  ...extra,
});

describe("secretAsData", () => {
  it("moves stringData into data as base64, stringData winning a shared key", () => {
    const out = secretAsData(secret({ data: { a: "eA==", b: "eQ==" }, stringData: { b: "zz", c: "é" } }));
    expect(out).toEqual(
      secret({ data: { a: "eA==", b: Buffer.from("zz").toString("base64"), c: Buffer.from("é").toString("base64") } }),
    );
    expect("stringData" in out).toBe(false);
  });

  it("leaves a Secret without stringData, or with a non-string value, as it is", () => {
    const plain = secret({ data: { a: "eA==" } });
    expect(secretAsData(plain)).toBe(plain);
    const odd = secret({ stringData: { port: 5432 } });
    expect(secretAsData(odd)).toBe(odd);
  });
});
