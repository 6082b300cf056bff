import { describe, expect, it } from "vitest";
import { controlCharacterProblems, unknownFieldProblems } from "./input-checks";

describe("controlCharacterProblems", () => {
  it.each(["\u0000", "\u0007", "\u001b[2J", "\u007f", "\u0085", "a\u0000"])(
    "refuses %j anywhere, naming the field",
    (bad) => {
      expect(controlCharacterProblems({ team: { name: bad } }, { multiline: true })).toEqual({
        "team.name": [expect.stringMatching(/control characters/)],
      });
      expect(controlCharacterProblems({ q: bad }, { multiline: false })).toHaveProperty("q");
    },
  );
  it("allows tab, LF and CR in body text only", () => {
    expect(controlCharacterProblems({ body: "a:\n\tb\r\n" }, { multiline: true })).toEqual({});
    expect(controlCharacterProblems({ q: "a\nb" }, { multiline: false })).toHaveProperty("q");
  });
  it("checks keys, array items, and any depth (a 100,000-deep body does not overflow)", () => {
    expect(controlCharacterProblems({ labels: { "a\u0000": "x" } }, { multiline: true })).toHaveProperty("labels");
    expect(controlCharacterProblems({ list: ["ok", "b\u0000"] }, { multiline: true })).toHaveProperty("list.1");
    let deep: unknown = "\u0000";
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(Object.keys(controlCharacterProblems({ params: deep }, { multiline: true }))).toHaveLength(1);
  });
});

describe("malformed Unicode and __proto__ keys", () => {
  it("refuses a lone surrogate in any string or key, naming the field; a paired one is text", () => {
    for (const bad of ["\ud800", "a\udfffb", "\ude00\ud83d"]) {
      expect(controlCharacterProblems({ token: { name: bad } }, { multiline: true })).toEqual({
        "token.name": [expect.stringMatching(/not valid Unicode text/)],
      });
      expect(controlCharacterProblems({ q: bad }, { multiline: false })).toHaveProperty("q");
      expect(controlCharacterProblems({ variables: { [bad]: "x" } }, { multiline: true })).toHaveProperty("variables");
    }
    expect(controlCharacterProblems({ name: "\ud83d\ude00 ok" }, { multiline: true })).toEqual({});
  });
  it("refuses a __proto__ key at any depth, as JSON.parse makes it (an own property)", () => {
    const body = JSON.parse('{"params":{"nested":{"__proto__":{"isAdmin":true}}},"__proto__":1}') as unknown;
    const problems = controlCharacterProblems(body, { multiline: true });
    expect(Object.keys(problems).sort()).toEqual(["__proto__", "params.nested.__proto__"]);
    expect(Object.getOwnPropertyDescriptor(problems, "__proto__")?.value).toEqual(["__proto__ is not a known field"]);
  });
});

describe("unknownFieldProblems", () => {
  it("names constructor, toString and __proto__ like any other unknown key (not found through the prototype)", () => {
    const given = JSON.parse('{"name":"x","constructor":1,"toString":"y","__proto__":{"a":1}}') as unknown;
    expect(Object.keys(unknownFieldProblems(given, { name: "x" })).sort()).toEqual([
      "__proto__",
      "constructor",
      "toString",
    ]);
  });
  it("names keys the schema dropped, at any level it kept", () => {
    expect(
      unknownFieldProblems({ a: 1, b: { c: 1, d: 2 }, e: [{ f: 1, g: 2 }] }, { a: 1, b: { c: 1 }, e: [{ f: 1 }] }),
    ).toEqual({
      "b.d": ["b.d is not a known field"],
      "e.0.g": ["e.0.g is not a known field"],
    });
  });
  it("leaves transformed values and explicit undefined alone", () => {
    expect(unknownFieldProblems({ from: "2026-01-01", x: undefined }, { from: new Date("2026-01-01") })).toEqual({});
  });
});
