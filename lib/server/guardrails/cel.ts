import "server-only";
import { celEnv, CelScalar, isCelError, parse, plan, type CelValue } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

/**
 * CEL as Kubernetes' ValidatingAdmissionPolicy uses it, with @bufbuild/cel (a CEL evaluator
 * that passes the CEL conformance suite). Variables: `object`, `oldObject` (null when the
 * object does not exist yet or the live one is not known at that check), `request`
 * (kind, name, namespace, userInfo) and `labels` (the target cluster's labels).
 *
 * Compilation is by hand around the library's parser because its type checker is not
 * exported: we refuse syntax errors (with line and column), names that are not variables or
 * comprehension variables, and functions the environment does not have, each at its position.
 * The cost is bounded before anything runs, as Kubernetes does: an estimate where every list
 * is taken to hold MAX_LIST_SIZE elements, refused at save above COST_LIMIT; at evaluation an
 * object with a longer list, a non-bool result, an error or an evaluation over its time budget
 * fails the rule (a deny names it).
 */

export const VARIABLES = ["object", "oldObject", "request", "labels"] as const;
export const MAX_LIST_SIZE = 1000;
export const COST_LIMIT = 1_000_000;
/** Wall-clock, on a shared machine: generous, so load never fails a rule; the static cost bound is the real limit. */
export const EVAL_BUDGET_MS = 1000;

const env = celEnv({
  variables: { object: CelScalar.DYN, oldObject: CelScalar.DYN, request: CelScalar.DYN, labels: CelScalar.DYN },
  funcs: strings,
});

/** Operators the planner implements itself (they are not in the function resolver). */
const BUILT_INS = new Set(["_&&_", "_||_", "_?_:_", "@not_strictly_false", "@in", "_[_]", "_[?_]", "_?._"]);

export class CelCompileError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
  }
}

type Parsed = ReturnType<typeof parse>;
type Expr = NonNullable<Parsed["expr"]>;

function positionOf(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** Walks the expression: unknown names and functions are errors; returns the estimated cost. */
function walk(
  expr: Expr | undefined,
  scope: ReadonlySet<string>,
  fail: (id: bigint, message: string) => never,
): number {
  if (!expr) return 0;
  const kind = expr.exprKind;
  switch (kind.case) {
    case "constExpr":
      return 1;
    case "identExpr":
      if (!scope.has(kind.value.name))
        fail(expr.id, `undeclared reference to '${kind.value.name}' (variables: ${VARIABLES.join(", ")})`);
      return 1;
    case "selectExpr":
      return 1 + walk(kind.value.operand, scope, fail);
    case "callExpr": {
      const name = kind.value.function;
      if (!BUILT_INS.has(name) && !env.funcs.find(name)) fail(expr.id, `undeclared reference to function '${name}'`);
      return (
        1 + walk(kind.value.target, scope, fail) + kind.value.args.reduce((sum, a) => sum + walk(a, scope, fail), 0)
      );
    }
    case "listExpr":
      return 1 + kind.value.elements.reduce((sum, e) => sum + walk(e, scope, fail), 0);
    case "structExpr":
      return (
        1 +
        kind.value.entries.reduce(
          (sum, e) =>
            sum + walk(e.value, scope, fail) + (e.keyKind.case === "mapKey" ? walk(e.keyKind.value, scope, fail) : 0),
          0,
        )
      );
    case "comprehensionExpr": {
      const c = kind.value;
      const inner = new Set([...scope, c.iterVar, c.iterVar2, c.accuVar].filter(Boolean));
      const perElement = walk(c.loopCondition, inner, fail) + walk(c.loopStep, inner, fail);
      return (
        walk(c.iterRange, scope, fail) +
        walk(c.accuInit, scope, fail) +
        MAX_LIST_SIZE * perElement +
        walk(c.result, inner, fail)
      );
    }
    default:
      return 1;
  }
}

export interface CompiledRule {
  cost: number;
  evaluate: (bindings: Record<(typeof VARIABLES)[number], unknown>) => CelValue | Error;
}

/** Parses, checks names and functions, and estimates the cost; throws CelCompileError with the position. */
export function compileCel(source: string): CompiledRule {
  let parsed: Parsed;
  try {
    parsed = parse(source);
  } catch (error) {
    const location = (error as { location?: { start?: { line: number; column: number } } }).location?.start;
    const message = (error as Error).message.replace(/^<input>:\d+:\d+: /, "");
    throw new CelCompileError(message, location?.line ?? 1, location?.column ?? 1);
  }
  const fail = (id: bigint, message: string): never => {
    const offset = parsed.sourceInfo?.positions[id.toString()] ?? 0;
    const { line, column } = positionOf(source, offset);
    throw new CelCompileError(message, line, column);
  };
  const cost = walk(parsed.expr, new Set(VARIABLES), fail);
  if (cost > COST_LIMIT)
    throw new CelCompileError(
      `estimated cost ${cost} exceeds the limit of ${COST_LIMIT} (lists are taken to hold up to ${MAX_LIST_SIZE} elements)`,
      1,
      1,
    );
  const run = plan(env, parsed);
  return {
    cost,
    evaluate: (bindings) => {
      try {
        const value = run(Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, toCel(v)])) as never);
        return isCelError(value) ? new Error(value.message) : value;
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    },
  };
}

/** Longest list anywhere in a value (the cost estimate assumed at most MAX_LIST_SIZE). */
export function longestList(value: unknown): number {
  if (Array.isArray(value)) return Math.max(value.length, ...value.map(longestList));
  if (value && typeof value === "object") return Math.max(0, ...Object.values(value).map(longestList));
  return 0;
}

/** JSON numbers that are whole become CEL ints (replicas >= 2 compares int with int, as in Kubernetes). */
function toCel(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === "object")
    return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toCel(v)]));
  return value;
}
