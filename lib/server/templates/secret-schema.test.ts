import { describe, expect, it } from "vitest";
import { schemaProblems, validateParams } from "./parameter-schema";
import {
  getPath,
  schemaWithout,
  secretParamSpecs,
  secretSchemaProblems,
  setPath,
  withSecretSamples,
} from "./secret-schema";

const schema = {
  type: "object",
  required: ["password", "db"],
  properties: {
    password: { type: "string", writeOnly: true },
    plain: { type: "string", default: "x" },
    db: {
      type: "object",
      required: ["token"],
      properties: { token: { type: "string", format: "password", contentEncoding: "base64" } },
    },
    source: { type: "object", format: "secret-reference" },
  },
};

describe("secret parameters in a schema", () => {
  it("finds sealed parameters (writeOnly or format password) and references, with dotted paths", () => {
    expect(secretParamSpecs(schema)).toEqual([
      { path: "password", kind: "sealed", required: true, base64: false },
      { path: "db.token", kind: "sealed", required: true, base64: true },
      { path: "source", kind: "reference", required: false, base64: false },
    ]);
  });

  it("the schema compiles (the formats and keywords are known) and plain values validate", () => {
    expect(schemaProblems(schema)).toEqual({});
    expect(validateParams(schema, { password: "p", db: { token: "dA==" }, source: { cluster: "c" } }).ok).toBe(true);
  });

  it("lint refuses a default on a secret, a secret inside an array, and a non-string secret", () => {
    expect(
      secretSchemaProblems({
        type: "object",
        properties: {
          a: { type: "string", writeOnly: true, default: "leak" },
          b: { type: "array", items: { type: "string", format: "password" } },
          c: { type: "integer", writeOnly: true },
          d: { type: "object", format: "secret-reference", default: {} },
        },
      }),
    ).toEqual({
      "schema.properties.a": [
        "a secret parameter cannot have a default: defaults are stored in plain text with the template",
      ],
      "schema.properties.b.items": ["a secret parameter cannot be inside an array; use an object property"],
      "schema.properties.c": ['a secret parameter must be { "type": "string" }'],
      "schema.properties.d": [
        "a secret parameter cannot have a default: defaults are stored in plain text with the template",
      ],
    });
    expect(secretSchemaProblems(schema)).toEqual({});
    expect(schemaProblems({ type: "object", properties: { a: { type: "string", format: "email" } } })).toEqual({
      "schema.properties.a.format": ["format must be one of password, secret-reference"],
    });
  });

  it("removes kept paths from the schema so the rest validates without them", () => {
    const without = schemaWithout(schema, ["password", "db.token"]);
    expect(validateParams(without, { db: {} }).ok).toBe(true);
    expect(validateParams(schema, { db: {} }).ok).toBe(false);
    expect(schema.required).toEqual(["password", "db"]); // the original is untouched
  });

  it("reads and writes dotted paths without touching the original", () => {
    const params = { db: { token: "t" } };
    const next = setPath(params, "db.token", { $secret: "id" });
    expect(getPath(next, "db.token")).toEqual({ $secret: "id" });
    expect(params.db.token).toBe("t");
    expect(getPath(setPath(next, "db.token", undefined), "db")).toEqual({});
    expect(getPath(params, "db.nothing.deeper")).toBeUndefined();
  });

  it("samples stand in for secrets when linting (base64 where base64 is expected)", () => {
    expect(withSecretSamples(schema, { plain: "x" })).toEqual({
      plain: "x",
      password: "sample",
      db: { token: "c2FtcGxl" },
      source: { sample: "c2FtcGxl" },
    });
  });
});
