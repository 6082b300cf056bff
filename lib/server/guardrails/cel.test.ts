import { describe, expect, it } from "vitest";
import { CelCompileError, compileCel, COST_LIMIT } from "./cel";

const deployment = (image: string, replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "team-a" },
  spec: { replicas, template: { spec: { containers: [{ name: "web", image }] } } },
});
const bindings = (object: unknown, labels: Record<string, string> = {}) => ({
  object,
  oldObject: null,
  request: { name: "web", namespace: "team-a", kind: { group: "apps", version: "v1", kind: "Deployment" } },
  labels,
});

function compileError(source: string): CelCompileError {
  try {
    compileCel(source);
  } catch (error) {
    if (error instanceof CelCompileError) return error;
    throw error;
  }
  throw new Error(`${source} compiled`);
}

describe("CEL guardrail expressions", () => {
  it("evaluates ValidatingAdmissionPolicy-style rules over object, request and the cluster's labels", () => {
    const noLatest = compileCel("object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))");
    expect(noLatest.evaluate(bindings(deployment("registry.local/demo:latest", 1)))).toBe(false);
    expect(noLatest.evaluate(bindings(deployment("registry.local/demo:1.0", 1)))).toBe(true);
    const replicas = compileCel("!('env' in labels) || labels['env'] != 'prod' || object.spec.replicas >= 2");
    expect(replicas.evaluate(bindings(deployment("a:1", 1), { env: "prod" }))).toBe(false);
    expect(replicas.evaluate(bindings(deployment("a:1", 3), { env: "prod" }))).toBe(true);
    expect(replicas.evaluate(bindings(deployment("a:1", 1), { env: "dev" }))).toBe(true);
    expect(compileCel("request.namespace.startsWith('team-')").evaluate(bindings({}))).toBe(true);
    expect(
      compileCel("has(object.spec.replicas) && size(object.metadata.name) > 0").evaluate(bindings(deployment("a", 1))),
    ).toBe(true);
  });

  it("refuses a syntax error with its line and column", () => {
    const error = compileError("object.spec.replicas >= ");
    expect(error.line).toBe(1);
    expect(error.message).toMatch(/^line 1, column \d+: /);
    const second = compileError("true\n  && object.x == == 1");
    expect([second.line, second.column]).toEqual([2, 15]);
  });

  it("refuses undeclared names and functions at their position", () => {
    const variable = compileError("objekt.spec.replicas > 1");
    expect(variable.message).toBe(
      "line 1, column 1: undeclared reference to 'objekt' (variables: object, oldObject, request, labels)",
    );
    const fn = compileError("object.metadata.name.frobnicate()");
    expect(fn.message).toMatch(/^line 1, column \d+: undeclared reference to function 'frobnicate'$/);
  });

  it("refuses at save an expression whose estimated cost exceeds the limit (nested loops over lists)", () => {
    const nested =
      "object.spec.template.spec.containers.all(a, object.spec.template.spec.containers.all(b, object.spec.template.spec.containers.all(c, a.name != '' && b.name != '' && c.name != '')))";
    expect(compileError(nested).message).toMatch(new RegExp(`estimated cost \\d+ exceeds the limit of ${COST_LIMIT}`));
  });

  it("an evaluation error or a non-bool result is reported, never thrown", () => {
    const missing = compileCel("object.spec.nothere.deeper == 1").evaluate(bindings(deployment("a", 1)));
    expect(missing).toBeInstanceOf(Error);
    expect(compileCel("1 + 1").evaluate(bindings({}))).toBe(2n);
  });
});
