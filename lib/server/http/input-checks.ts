import "server-only";
import type { FieldErrors } from "@/lib/server/errors/app-error";

/**
 * Checks route() applies to every request's input before and after zod, so that no
 * route can forget them (a per-schema helper could be forgotten on one field):
 *
 * - Control characters: NUL and the other C0/C1 controls and DEL are refused in every
 *   string and object key of the body, query and path (a NUL cannot be stored in a
 *   Postgres text column; the others forge log lines and confuse displays). Tab, line feed
 *   and carriage return are allowed in body strings only (template bodies, PEM blocks,
 *   descriptions); never in query strings, path segments or keys.
 * - Malformed Unicode: a lone surrogate ("\ud800" in JSON) is not text. Postgres cannot
 *   store it (a jsonb value refuses it, a text column silently turns it into U+FFFD, so what
 *   is stored differs from what was checked and hashed), so it is refused in every string
 *   and key, by field name, before any schema sees it.
 * - A key named `__proto__` anywhere in a body: never a field of ours, and a prototype
 *   setter for any code that copies objects key by key (merge patches), so it is refused
 *   like an unknown field even inside free-form JSON.
 * - Unknown fields: zod's default object mode drops keys it does not know; here any key
 *   of the input that the parsed value lacks is refused by name. Comparing input and
 *   output keeps the schemas as they are (no `.strict()` to forget on a nested object),
 *   and skips values a schema transformed into something else.
 */

const CONTROL_STRICT = /[\u0000-\u001F\u007F-\u009F]/;
const CONTROL_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** With the u flag a paired surrogate is one code point; only a lone half is in Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Field errors keyed by input keys: without a prototype, so a key named `__proto__` is recorded, not a prototype set. */
const noPrototype = (): FieldErrors => Object.create(null) as FieldErrors;

const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

/**
 * Field errors for every string or key holding a control character; `multiline` allows
 * tab, LF and CR in values. Walks with its own stack: a body may nest deeper than the
 * call stack (a 1 MB body of brackets), and free-form JSON (template parameters) is
 * stored as jsonb, which cannot hold a NUL at any depth.
 */
export function controlCharacterProblems(value: unknown, options: { multiline: boolean }, path = ""): FieldErrors {
  const problems = noPrototype();
  const valuePattern = options.multiline ? CONTROL_TEXT : CONTROL_STRICT;
  const stack: Array<[unknown, string]> = [[value, path]];
  while (stack.length > 0) {
    const [current, at] = stack.pop()!;
    if (typeof current === "string") {
      if (LONE_SURROGATE.test(current))
        problems[at || "_"] = [`${at || "The value"} is not valid Unicode text (it holds a lone surrogate)`];
      else if (valuePattern.test(current))
        problems[at || "_"] = [`${at || "The value"} must not contain control characters (such as NUL)`];
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push([item, join(at, index)]));
    } else if (isPlainObject(current)) {
      for (const [key, item] of Object.entries(current)) {
        if (LONE_SURROGATE.test(key))
          problems[at || "_"] = [`${at || "The body"} has a key that is not valid Unicode text (a lone surrogate)`];
        else if (CONTROL_STRICT.test(key))
          problems[at || "_"] = [`${at || "The body"} has a key with control characters`];
        else if (key === "__proto__") problems[join(at, key)] = [`${join(at, key)} is not a known field`];
        else stack.push([item, join(at, key)]);
      }
    }
  }
  return problems;
}

/** Field errors naming every key of `input` that the schema's output does not have. */
export function unknownFieldProblems(input: unknown, parsed: unknown, path = ""): FieldErrors {
  const problems = noPrototype();
  const visit = (given: unknown, kept: unknown, at: string, depth: number) => {
    if (depth > 64) return;
    if (Array.isArray(given) && Array.isArray(kept) && given.length === kept.length) {
      given.forEach((item, index) => visit(item, kept[index], join(at, index), depth + 1));
      return;
    }
    if (!isPlainObject(given) || !isPlainObject(kept)) return;
    for (const [key, item] of Object.entries(given)) {
      const field = join(at, key);
      // Own keys only: `"toString" in {}` is true through the prototype, so `in` would let
      // `constructor`, `toString` or `__proto__` pass as known fields of every object.
      if (!Object.hasOwn(kept, key)) {
        // An explicit undefined/null for an optional field that was dropped is not an unknown field.
        if (item === undefined) continue;
        problems[field] = [`${field} is not a known field`];
      } else visit(item, kept[key], field, depth + 1);
    }
  };
  visit(input, parsed, path, 0);
  return problems;
}
