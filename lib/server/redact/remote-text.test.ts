import { describe, expect, it } from "vitest";
import { boundManagerName, boundRemoteText, MAX_CAUSES, REMOTE_MESSAGE_MAX, statusCauses } from "./remote-text";

const status = (causes: unknown) => Buffer.from(JSON.stringify({ kind: "Status", details: { causes } }));

describe("remote text is bounded", () => {
  it.each([
    ["line\nbreak\r\nand\ttab", "line break and tab"],
    ["nul\u0000byte", "nul byte"],
    ["escape \u001b[31mred\u001b[0m", "escape  [31mred [0m"],
    ["bidi \u202eevil\u202c", "bidi  evil"],
    ["c1 \u0085 next line", "c1   next line"],
    ["  padded  ", "padded"],
  ])("%j becomes one clean line", (input, expected) => {
    expect(boundRemoteText(input)).toBe(expected);
  });
  it("is capped, with a mark where it was cut", () => {
    const text = boundRemoteText("x".repeat(10_000));
    expect(text).toHaveLength(REMOTE_MESSAGE_MAX);
    expect(text.endsWith("…")).toBe(true);
    expect(boundManagerName(`kubectl-${"m".repeat(500)}`)).toHaveLength(64);
  });
  it("keeps nothing but text", () => {
    expect(boundRemoteText({ toString: () => "object" })).toBe("");
    expect(boundRemoteText(42)).toBe("");
  });
});

describe("statusCauses", () => {
  it("keeps a reason code, the field path and a bounded message", () => {
    const causes = statusCauses(
      status([{ reason: "FieldValueInvalid", field: "spec.replicas", message: `bad\n${"y".repeat(1000)}` }]),
      true,
    );
    expect(causes).toEqual([
      { reason: "FieldValueInvalid", field: "spec.replicas", message: expect.stringMatching(/^bad y+…$/) },
    ]);
    expect(causes[0]!.message!.length).toBe(REMOTE_MESSAGE_MAX);
  });
  it("drops the message when asked (a Secret's value can be quoted in it)", () => {
    expect(
      statusCauses(status([{ reason: "FieldValueInvalid", field: "data.k", message: "value: s3cret" }]), false),
    ).toEqual([{ reason: "FieldValueInvalid", field: "data.k" }]);
  });
  it("refuses a reason that is not a code, caps the number of causes, and survives junk", () => {
    expect(statusCauses(status([{ reason: "Evil reason <script>", field: 7 }]), true)).toEqual([
      { reason: "Invalid", field: "object" },
    ]);
    expect(statusCauses(status(Array.from({ length: 50 }, () => ({ reason: "X" }))), true)).toHaveLength(MAX_CAUSES);
    expect(statusCauses(Buffer.from("not json"), true)).toEqual([]);
    expect(statusCauses(Buffer.from("null"), true)).toEqual([]);
    expect(statusCauses(status("nope"), true)).toEqual([]);
    expect(statusCauses(status([null]), true)).toEqual([{ reason: "Invalid", field: "object" }]);
  });
});
