import "server-only";
import { performance } from "node:perf_hooks";
import { Prisma } from "@/lib/generated/prisma/client";
import type { GuardrailFinding } from "@/lib/api/rollout-types";
import { matchesSelector, parseSelector, type ParsedSelector } from "@/lib/k8s/label-selector";
import type { GuardrailRuleBody } from "@/lib/schemas/change-control";
import { isUuid } from "@/lib/schemas/ids";
import { requireAdmin } from "@/lib/server/access/guard";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { conflict, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { CelCompileError, compileCel, EVAL_BUDGET_MS, longestList, MAX_LIST_SIZE, type CompiledRule } from "./cel";

/**
 * Fleet guardrails: admin-defined CEL rules, compiled at save (a rule that does not compile
 * is refused with its position) and checked on every rendered object of every target at
 * preview, at start, when an approved rollout starts, and before each target applies. A
 * `deny` finding blocks, naming the rule, the object and the cluster; a `warn` shows on the
 * preview and the approval. A stored rule that no longer compiles, fails to evaluate, or
 * exceeds its bounds fails closed: a deny (or a warn, for a warn rule) naming it.
 */

export async function listGuardrailRules(profile: AccessProfile) {
  requireAdmin(profile);
  const rows = await db().guardrailRule.findMany({ orderBy: { name: "asc" } });
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}

export async function createGuardrailRule(profile: AccessProfile, body: GuardrailRuleBody) {
  requireAdmin(profile);
  try {
    compileCel(body.expression);
  } catch (error) {
    if (error instanceof CelCompileError) throw validationFailed({ expression: [error.message] });
    throw error;
  }
  try {
    return await db().guardrailRule.create({
      data: { ...body, kinds: [...new Set(body.kinds)], createdByEmail: profile.email },
      select: { id: true, name: true },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw conflict(`A guardrail named ${body.name} exists`, { name: ["This name is taken"] });
    throw error;
  }
}

export async function deleteGuardrailRule(profile: AccessProfile, id: string) {
  requireAdmin(profile);
  const deleted = isUuid(id) ? await db().guardrailRule.deleteMany({ where: { id } }) : { count: 0 };
  if (deleted.count === 0) throw notFound("Guardrail rule");
}

interface LoadedRule {
  name: string;
  action: "deny" | "warn";
  message: string;
  kinds: ReadonlySet<string>;
  selector: ParsedSelector | null;
  compiled: CompiledRule | Error;
}

/** The rules as they stand now, compiled once per check. */
export async function loadGuardrails(): Promise<LoadedRule[]> {
  const rows = await db().guardrailRule.findMany({ orderBy: { name: "asc" } });
  return rows.map((row) => {
    let selector: ParsedSelector | null = null;
    let compiled: CompiledRule | Error;
    try {
      selector = row.clusterSelector ? parseSelector(row.clusterSelector) : null;
      compiled = compileCel(row.expression);
    } catch (error) {
      compiled = error instanceof Error ? error : new Error(String(error));
    }
    return {
      name: row.name,
      action: row.action === "warn" ? "warn" : "deny",
      message: row.message,
      kinds: new Set(row.kinds),
      selector,
      compiled,
    };
  });
}

interface CheckedObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
}

/** Every finding of every rule on one cluster's rendered objects. */
export function checkGuardrails(
  rules: readonly LoadedRule[],
  cluster: { name: string; labels: Record<string, string> },
  objects: readonly CheckedObject[],
  context: { userEmail: string; groups: readonly string[]; live?: (object: CheckedObject) => unknown },
): GuardrailFinding[] {
  const findings: GuardrailFinding[] = [];
  for (const rule of rules) {
    if (rule.selector && !matchesSelector(rule.selector, cluster.labels)) continue;
    for (const object of objects) {
      const kind = String(object.kind ?? "");
      if (rule.kinds.size && !rule.kinds.has(kind)) continue;
      const namespace = typeof object.metadata?.namespace === "string" ? object.metadata.namespace : "";
      const name = String(object.metadata?.name ?? "");
      const named = `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
      const found = (message: string) =>
        findings.push({ rule: rule.name, action: rule.action, message, cluster: cluster.name, object: named });
      if (rule.compiled instanceof Error) {
        found(`The rule does not compile (${rule.compiled.message}); it fails closed`);
        continue;
      }
      if (longestList(object) > MAX_LIST_SIZE) {
        found(`The object has a list longer than ${MAX_LIST_SIZE}, past the rule's cost bound; it fails closed`);
        continue;
      }
      const [group, version] = String(object.apiVersion ?? "").includes("/")
        ? String(object.apiVersion).split("/")
        : ["", String(object.apiVersion ?? "")];
      const started = performance.now();
      const result = rule.compiled.evaluate({
        object,
        oldObject: context.live?.(object) ?? null,
        request: {
          kind: { group, version, kind },
          name,
          namespace,
          userInfo: { username: context.userEmail, groups: [...context.groups] },
        },
        labels: cluster.labels,
      });
      if (performance.now() - started > EVAL_BUDGET_MS)
        found(`The rule exceeded its evaluation time budget (${EVAL_BUDGET_MS} ms); it fails closed`);
      // The error's text is not shown: it can quote a value of the object (a Secret's, too).
      else if (result instanceof Error) found(`The rule could not be evaluated on this object; it fails closed`);
      else if (typeof result !== "boolean") found("The rule did not evaluate to true or false; it fails closed");
      else if (!result) found(rule.message);
    }
  }
  return findings;
}

export const describeFinding = (finding: GuardrailFinding) =>
  `Guardrail ${finding.rule} ${finding.action === "deny" ? "denies" : "warns about"} ${finding.object} on cluster ${finding.cluster}: ${finding.message}`;
