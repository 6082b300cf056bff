import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { desiredObjects } from "./desired";
import { renderTemplate, yamlSafe } from "./render";

/** Values that are YAML syntax when inserted unquoted, and some that must stay plain. */
const TRICKY = [
  "*S3cretCanary",
  "&anchor",
  "!tag value",
  "| block",
  "> folded",
  "'single",
  '"double',
  "%directive",
  "@at",
  "`tick",
  "# comment",
  "- item",
  "? key",
  ": colon",
  "key: value",
  "trailing:",
  "value #comment",
  "{a: 1}",
  "[1, 2]",
  "a,b",
  "line one\nline two: *x",
  "tab\there",
  " leading space",
  "trailing space ",
  "\u2028separator",
];
const PLAIN = ["nginx", "nginx:1.25", "a-b_c.d/e", "dGVzdA==", "p%w!d&x*y", "two words", "http://host:8080/path"];

describe("rendering string parameters", () => {
  it("inserts every value so that the YAML reads back the same string", async () => {
    for (const value of [...TRICKY, ...PLAIN]) {
      const rendered = await renderTemplate("key: {{ v }}\nnext: fixed", { v: value });
      expect(parse(rendered), JSON.stringify(value)).toEqual({ key: value, next: "fixed" });
    }
  });

  it("quotes what is not plain-safe and leaves plain values as they are (so they still fit inside a scalar)", () => {
    for (const value of TRICKY) expect(yamlSafe(value), JSON.stringify(value)).toBe(false);
    for (const value of PLAIN) expect(yamlSafe(value), JSON.stringify(value)).toBe(true);
  });

  it("keeps single-line | json output a flow value", async () => {
    const rendered = await renderTemplate("data: {{ v | json }}", { v: { token: "*x", b: "y: z" } });
    expect(parse(rendered)).toEqual({ data: { token: "*x", b: "y: z" } });
  });

  it("a raw value that breaks the YAML becomes a fixed message that does not quote it", async () => {
    const body = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  p: {{ params.p | raw }}";
    for (const p of ["*S3cretCanary", "x\n  y: *S3cretCanary", "a: b: *S3cretCanary"]) {
      const result = await desiredObjects(
        { body, overrides: [], number: 1 },
        { p },
        { name: "c", labels: {}, variables: {} },
        null,
      );
      expect(result.ok).toBe(false);
      const text = JSON.stringify(result);
      expect(text).not.toContain("S3cretCanary");
      expect(text).toMatch(/document 1 (could not be read|is not valid YAML) after rendering/);
    }
  });

  it("a filter that fails on a value answers a fixed sentence, never the library's text", async () => {
    await expect(renderTemplate("k: {{ v | url_decode }}", { v: "%E0%A4%A S3cretCanary" })).rejects.toThrow(
      /^a filter or tag failed while rendering with these parameters$/,
    );
  });
});
