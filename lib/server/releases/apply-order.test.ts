import { describe, expect, it } from "vitest";
import { applyTiers } from "./apply-order";

describe("applyTiers", () => {
  it("puts Namespaces first, then CRDs, then the rest, keeping template order within a tier", () => {
    const kinds = ["Deployment", "CustomResourceDefinition", "ConfigMap", "Namespace", "Widget", "Namespace"];
    expect(applyTiers(kinds.map((kind) => ({ kind })))).toEqual([[3, 5], [1], [0, 2, 4]]);
  });

  it("leaves out empty tiers", () => {
    expect(applyTiers([{ kind: "ConfigMap" }, { kind: "Service" }])).toEqual([[0, 1]]);
    expect(applyTiers([])).toEqual([]);
  });
});
