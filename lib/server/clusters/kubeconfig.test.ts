import { describe, expect, it } from "vitest";
import { parseKubeconfig } from "./kubeconfig";

const kubeconfig = (current: string) => `
apiVersion: v1
kind: Config
current-context: ${current}
clusters:
  - name: prod
    cluster: { server: "https://prod.example.com" }
  - name: prod-again
    cluster: { server: "https://PROD.example.com:443/" }
  - name: staging
    cluster: { server: "https://staging.example.com:6443" }
users:
  - name: u
    user: { token: "t0ken" }
contexts:
  - name: prod-admin
    context: { cluster: prod, user: u }
  - name: prod-team-a
    context: { cluster: prod-again, user: u, namespace: team-a }
  - name: prod-team-b
    context: { cluster: prod, user: u, namespace: team-b }
  - name: staging
    context: { cluster: staging, user: u }
`;

describe("one context per API server", () => {
  it("keeps the first context of a server and names it in the others, with the reason", () => {
    const candidates = parseKubeconfig(kubeconfig("staging")).map((c) => c.candidate);
    expect(candidates.map((c) => [c.context, c.duplicate?.of ?? null])).toEqual([
      ["prod-admin", null],
      ["prod-team-a", "prod-admin"],
      ["prod-team-b", "prod-admin"],
      ["staging", null],
    ]);
    expect(candidates[1]!.duplicate!.reason).toContain("first in the file");
    // Duplicates are not refused: whoever wants both may still choose both.
    expect(candidates.every((c) => c.problem === null)).toBe(true);
  });

  it("keeps the current context when it is one of them", () => {
    const candidates = parseKubeconfig(kubeconfig("prod-team-b")).map((c) => c.candidate);
    expect(candidates.map((c) => c.duplicate?.of ?? null)).toEqual(["prod-team-b", "prod-team-b", null, null]);
    expect(candidates[0]!.duplicate!.reason).toContain("current context");
  });
});
