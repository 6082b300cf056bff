import { labelKeyProblem, labelValueProblem, type Labels } from "./labels";

/**
 * kubectl-style label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a` (exists), `!a` (does not exist), comma-separated (all must hold). Used to filter
 * clusters by their labels and, later, objects by theirs.
 */

export type Requirement =
  { key: string; op: "exists" | "notexists" } | { key: string; op: "in" | "notin"; values: string[] };

export interface ParsedSelector {
  requirements: Requirement[];
}

export class SelectorSyntaxError extends Error {
  override name = "SelectorSyntaxError";
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

type Token = { kind: "word" | "op" | "(" | ")" | "," | "!"; text: string; at: number };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const char = input[i]!;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === "(" || char === ")" || char === ",") {
      tokens.push({ kind: char, text: char, at: i });
      i += 1;
    } else if (char === "!" && input[i + 1] === "=") {
      tokens.push({ kind: "op", text: "!=", at: i });
      i += 2;
    } else if (char === "!") {
      tokens.push({ kind: "!", text: "!", at: i });
      i += 1;
    } else if (char === "=") {
      const double = input[i + 1] === "=";
      tokens.push({ kind: "op", text: double ? "==" : "=", at: i });
      i += double ? 2 : 1;
    } else {
      const start = i;
      while (i < input.length && !/[\s(),!=]/.test(input[i]!)) i += 1;
      tokens.push({ kind: "word", text: input.slice(start, i), at: start });
    }
  }
  return tokens;
}

export function parseSelector(input: string): ParsedSelector {
  const tokens = tokenize(input);
  const requirements: Requirement[] = [];
  let index = 0;
  const peek = () => tokens[index];
  const next = () => tokens[index++];
  const fail = (message: string, token?: Token): never => {
    throw new SelectorSyntaxError(message, token?.at ?? input.length);
  };
  const key = (token: Token | undefined): string => {
    if (!token || token.kind !== "word") return fail("expected a label key", token);
    const problem = labelKeyProblem(token.text);
    if (problem) fail(problem, token);
    return token.text;
  };
  const value = (token: Token | undefined): string => {
    if (!token || token.kind !== "word") return fail("expected a label value", token);
    const problem = labelValueProblem(token.text);
    if (problem) fail(problem, token);
    return token.text;
  };

  if (tokens.length === 0) return { requirements };
  for (;;) {
    const first = next();
    if (first?.kind === "!") {
      requirements.push({ key: key(next()), op: "notexists" });
    } else {
      const name = key(first);
      const operator = peek();
      if (!operator || operator.kind === ",") {
        requirements.push({ key: name, op: "exists" });
      } else if (operator.kind === "op") {
        next();
        // An empty value is legal (`tier=`): it matches the label set to "".
        const candidate = peek();
        const text = candidate?.kind === "word" ? value(next()) : "";
        requirements.push({ key: name, op: operator.text === "!=" ? "notin" : "in", values: [text] });
      } else if (operator.kind === "word" && (operator.text === "in" || operator.text === "notin")) {
        next();
        if (next()?.kind !== "(") fail(`expected "(" after ${operator.text}`, tokens[index - 1]);
        const values: string[] = [];
        for (;;) {
          const token = peek();
          if (token?.kind === ")") {
            next();
            break;
          }
          values.push(value(next()));
          const separator = next();
          if (separator?.kind === ")") break;
          if (separator?.kind !== ",") fail('expected "," or ")" in the value list', separator);
        }
        if (values.length === 0) fail(`${operator.text} needs at least one value`, operator);
        requirements.push({ key: name, op: operator.text, values });
      } else {
        fail(`unexpected "${operator.text}" after key "${name}"`, operator);
      }
    }
    const separator = next();
    if (!separator) break;
    if (separator.kind !== ",") fail(`expected "," between requirements, found "${separator.text}"`, separator);
    if (!peek()) fail("trailing comma", separator);
  }
  return { requirements };
}

export function matchesSelector(selector: ParsedSelector, labels: Labels): boolean {
  return selector.requirements.every((requirement) => {
    const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    switch (requirement.op) {
      case "exists":
        return has;
      case "notexists":
        return !has;
      case "in":
        return has && requirement.values.includes(labels[requirement.key]!);
      case "notin":
        return !has || !requirement.values.includes(labels[requirement.key]!);
    }
  });
}

/** Validation for forms and query strings: null when valid, else a message with the position. */
export function selectorProblem(input: string): string | null {
  try {
    parseSelector(input);
    return null;
  } catch (error) {
    if (error instanceof SelectorSyntaxError) return `${error.message} (at character ${error.position + 1})`;
    throw error;
  }
}
