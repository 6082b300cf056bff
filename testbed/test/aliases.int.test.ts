/**
 * Proof of aliases: two real clusters, each reachable under three names. Every name answers with
 * kubectl, names of one cluster share its objects (one API server), a fault on one name leaves its
 * siblings answering, and the cluster's audit log tells which name made a write.
 */
import { execFile } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  auditEventsByAlias,
  downAliases,
  ensureTestbed,
  fault,
  resumeAll,
  status,
  type Testbed,
  type TestbedCluster,
} from "../harness";
import { startTimeoutMs, uniqueNamespace } from "./support";

interface Kubectl {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs kubectl against one context; resolves with its exit code and output, never rejects on failure. */
function kubectl(tb: Testbed, context: string, args: string[]): Promise<Kubectl> {
  const began = Date.now();
  return new Promise((resolve) => {
    execFile(
      "kubectl",
      ["--kubeconfig", tb.kubeconfigPath, "--context", context, ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - began });
      },
    );
  });
}

describe("aliases: one real cluster under several names", () => {
  let tb: Testbed;
  let first: TestbedCluster;
  let second: TestbedCluster;
  const configMap = uniqueNamespace("alias-probe");

  beforeAll(async () => {
    tb = await ensureTestbed({ clusters: 2, aliases: 3, timeoutMs: startTimeoutMs });
    [first, second] = [tb.clusters[0]!, tb.clusters[1]!];
  });

  afterEach(async () => {
    await resumeAll();
  });

  afterAll(async () => {
    await kubectl(tb, first.context, ["-n", "default", "delete", "configmap", configMap, "--ignore-not-found"]);
    // Later test files import the whole kubeconfig and expect the usual contexts only.
    await downAliases();
  });

  it("lists each cluster's names, with their own server, context and user", () => {
    for (const [i, c] of [first, second].entries()) {
      expect(c.aliases.map((a) => a.name)).toEqual([c.name, `${c.name}-a2`, `${c.name}-a3`]);
      expect(c.aliases.map((a) => a.user)).toEqual(["testbed-admin", `${c.name}-a2-admin`, `${c.name}-a3-admin`]);
      expect(new Set(c.aliases.map((a) => a.server)).size).toBe(3);
      expect(c.aliases.every((a) => a.cluster === c.name)).toBe(true);
      expect(c.name).toBe(`testbed-${i + 1}`);
    }
    expect(new Set(tb.aliases.map((a) => a.server)).size).toBe(tb.aliases.length);
  });

  it("answers kubectl get ns through every one of the six contexts", async () => {
    const contexts = [first, second].flatMap((c) => c.aliases.map((a) => a.context));
    expect(contexts).toHaveLength(6);
    for (const context of contexts) {
      const result = await kubectl(tb, context, ["get", "ns", "-o", "name"]);
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain("namespace/default");
    }
  });

  it("shares one API server: a ConfigMap created through alias 2 is read through alias 3", async () => {
    const [, alias2, alias3] = first.aliases;
    const created = await kubectl(tb, alias2!.context, [
      "-n",
      "default",
      "create",
      "configmap",
      configMap,
      "--from-literal=made-by=alias-2",
    ]);
    expect(created.stderr).toBe("");
    const read = await kubectl(tb, alias3!.context, [
      "-n",
      "default",
      "get",
      "configmap",
      configMap,
      "-o",
      "jsonpath={.data.made-by}",
    ]);
    expect(read.stdout).toBe("alias-2");
    // The other real cluster is another API server: it has no such object.
    const elsewhere = await kubectl(tb, second.aliases[1]!.context, ["-n", "default", "get", "configmap", configMap]);
    expect(elsewhere.stderr).toMatch(/NotFound/);

    // The audit log names the alias that made the write, and only that one.
    const byAlias = auditEventsByAlias(first);
    const creates = (name: string) =>
      byAlias.get(name)!.filter((e) => e.verb === "create" && e.objectRef?.name === configMap);
    expect(creates(alias2!.name)).toHaveLength(1);
    expect(creates(alias2!.name)[0]!.user.username).toBe(`${first.name}-a2-admin`);
    expect(creates(alias3!.name)).toHaveLength(0);
    expect(creates(first.name)).toHaveLength(0);
  });

  it("hangs one alias while its siblings on the same API server keep answering", async () => {
    const [own, alias2, alias3] = first.aliases;
    await fault(alias2!.name, "hang");
    const hung = await kubectl(tb, alias2!.context, ["--request-timeout=2s", "get", "ns", "-o", "name"]);
    expect(hung.code).not.toBe(0);
    expect(hung.ms).toBeGreaterThanOrEqual(1_900);
    for (const sibling of [own!, alias3!]) {
      const answered = await kubectl(tb, sibling.context, ["--request-timeout=10s", "get", "ns", "-o", "name"]);
      expect(answered.stdout).toContain("namespace/default");
      expect(answered.ms).toBeLessThan(10_000);
    }

    await fault(alias2!.name, "resume");
    const resumed = await kubectl(tb, alias2!.context, ["--request-timeout=10s", "get", "ns", "-o", "name"]);
    expect(resumed.stdout).toContain("namespace/default");
  });

  it("down --only-aliases stops the alias proxies and leaves the clusters answering", async () => {
    await downAliases();
    const entries = await status();
    expect(entries.every((e) => e.aliases?.length === 1 && e.ready)).toBe(true);
    const gone = await kubectl(tb, first.aliases[1]!.context, ["get", "ns"]);
    expect(gone.stderr).toMatch(/context was not found|does not exist/);
    const own = await kubectl(tb, first.context, ["get", "ns", "-o", "name"]);
    expect(own.stdout).toContain("namespace/default");
  });
});
