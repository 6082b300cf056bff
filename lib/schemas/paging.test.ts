import { describe, expect, it } from "vitest";
import { z } from "zod";
import { listAuditQuerySchema } from "./audit";
import { listReleasesQuerySchema, listRolloutsQuerySchema } from "./lists";
import { cursorSchema, encodeCursor } from "./paging";
import { idParam, numberParam, oneOfParam } from "./params";

const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
const issuesOf = (result: { success: boolean; error?: z.ZodError }) => [
  ...new Set(result.error?.issues.map((issue) => issue.path.join(".")) ?? []),
];

describe("cursors", () => {
  const schema = cursorSchema("things", { name: z.string(), id: z.string() });

  it("round-trip the sort key, including non-ASCII names", () => {
    const cursor = encodeCursor("things", { name: "réseau-ü", id });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(schema.parse(cursor)).toEqual({ list: "things", name: "réseau-ü", id });
  });

  it("refuse anything else as an issue, never a throw", () => {
    const good = encodeCursor("things", { name: "a", id });
    for (const bad of [
      "",
      "%%%",
      "a",
      good.slice(0, -2),
      `${good}=`,
      encodeCursor("other", { name: "a", id }),
      encodeCursor("things", { name: 1, id }),
      encodeCursor("things", { name: "a", id, more: true }),
      btoa("\xff\xfe").replace(/=+$/, ""),
      "x".repeat(2000),
    ])
      expect(schema.safeParse(bad).success, bad).toBe(false);
  });

  it("name the cursor field in list queries", () => {
    expect(issuesOf(listRolloutsQuerySchema.safeParse({ cursor: "nope" }))).toEqual(["cursor"]);
    expect(issuesOf(listReleasesQuerySchema.safeParse({ cursor: "nope" }))).toEqual(["cursor"]);
    expect(issuesOf(listAuditQuerySchema.safeParse({ cursor: encodeCursor("audit", { id: "9".repeat(19) }) }))).toEqual(
      ["cursor"],
    );
    expect(listAuditQuerySchema.parse({ cursor: encodeCursor("audit", { id: "42" }) }).cursor).toEqual({
      list: "audit",
      id: "42",
    });
  });

  it("bound the page size and name it", () => {
    for (const pageSize of ["0", "-3", "1.5", "1e20", "100000000000000000000", "x", "201"])
      expect(issuesOf(listRolloutsQuerySchema.safeParse({ pageSize })), pageSize).toEqual(["pageSize"]);
    expect(listRolloutsQuerySchema.parse({}).pageSize).toBe(50);
    expect(listRolloutsQuerySchema.parse({ pageSize: "200" }).pageSize).toBe(200);
  });
});

describe("path parameter schemas carry the name of what is not found", () => {
  const message = (result: { success: boolean; error?: z.ZodError }) => result.error?.issues[0]?.message;

  it("ids", () => {
    expect(idParam("Rollout").safeParse(id).success).toBe(true);
    for (const bad of ["", "not-a-uuid", `${id}0`, ["a", "b"], undefined])
      expect(message(idParam("Rollout").safeParse(bad))).toBe("Rollout");
  });

  it("words and numbers", () => {
    const action = oneOfParam(["pause", "resume"], "Rollout action");
    expect(action.parse("pause")).toBe("pause");
    for (const bad of ["toString", "PAUSE", "", "constructor"])
      expect(message(action.safeParse(bad))).toBe("Rollout action");
    const number = numberParam("Template revision");
    expect(number.parse("7")).toBe(7);
    expect(number.parse("2147483647")).toBe(2_147_483_647);
    for (const bad of ["0", "07", "-1", "1.5", "1e3", "2147483648", "99999999999", " 1", "one"])
      expect(message(number.safeParse(bad)), bad).toBe("Template revision");
  });
});
