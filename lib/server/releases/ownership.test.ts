import { describe, expect, it } from "vitest";
import { fieldManagerFor, liveOwner, releaseFieldManager } from "./ownership";

const RELEASE = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";

const object = (labels: Record<string, string>, managers: Array<{ manager: string; subresource?: string }>) => ({
  metadata: { labels, managedFields: managers.map((m) => ({ operation: "Apply", ...m })) },
});

describe("one owner per object", () => {
  it("an absent object is free; the release's own label makes it ours", () => {
    expect(liveOwner(null, RELEASE)).toEqual({ type: "free" });
    expect(
      liveOwner(object({ "archipelago.dev/release": RELEASE }, [{ manager: releaseFieldManager(RELEASE) }]), RELEASE),
    ).toEqual({
      type: "ours",
      legacyManager: false,
    });
  });

  it("another release's label names that release, whatever the field managers say", () => {
    expect(liveOwner(object({ "archipelago.dev/release": OTHER }, [{ manager: "archipelago" }]), RELEASE)).toEqual({
      type: "release",
      releaseId: OTHER,
    });
  });

  it("an object without our label is owned outside, named by its managers (status writers left out)", () => {
    expect(
      liveOwner(
        object({}, [{ manager: "kubectl-create" }, { manager: "kube-controller-manager", subresource: "status" }]),
        RELEASE,
      ),
    ).toEqual({ type: "outside", managers: ["kubectl-create"] });
    expect(liveOwner({ metadata: {} }, RELEASE)).toEqual({ type: "outside", managers: ["an unknown manager"] });
  });

  it("an object applied with the old shared manager keeps that manager for its own release (migration)", () => {
    const legacy = liveOwner(object({ "archipelago.dev/release": RELEASE }, [{ manager: "archipelago" }]), RELEASE);
    expect(legacy).toEqual({ type: "ours", legacyManager: true });
    expect(fieldManagerFor(RELEASE, legacy)).toBe("archipelago");
    expect(fieldManagerFor(RELEASE, { type: "free" })).toBe(`archipelago/${RELEASE}`);
    // Once the release has its own entry (it took the object over), the old name is no longer used.
    expect(
      liveOwner(
        object({ "archipelago.dev/release": RELEASE }, [
          { manager: "archipelago" },
          { manager: `archipelago/${RELEASE}` },
        ]),
        RELEASE,
      ),
    ).toEqual({ type: "ours", legacyManager: false });
    expect(fieldManagerFor(RELEASE, { type: "release", releaseId: OTHER })).toBe(`archipelago/${RELEASE}`);
    expect(releaseFieldManager(RELEASE).length).toBeLessThanOrEqual(128);
  });
});
