import "server-only";
import { scrubSecrets } from "@/lib/server/log/scrub";

/**
 * What an audit row's values become in Postgres, computed before the row is written, so the
 * chain hashes exactly what a later read returns (verify.ts hashes the row it reads). Any
 * difference raises a false tamper alarm for an honest row, and anyone who can put text in
 * a name could raise one at will. The differences, and how each is closed:
 *
 * - A lone surrogate (half a UTF-16 pair): a text column silently stores U+FFFD for it, a
 *   jsonb value refuses it (the write fails). route() refuses it in all input; here it
 *   becomes U+FFFD, as the text column would make it, for values from anywhere else.
 * - NUL: neither text nor jsonb can hold it; it and the other C0 controls except tab, LF and
 *   CR become spaces (so the content of a row can never be why an audit write fails).
 * - JSON: Prisma sends `JSON.stringify` of the details, so they are put through exactly that
 *   first (a Date becomes its ISO string, undefined and functions vanish, NaN and ±Infinity
 *   become null, -0 becomes 0, a bigint, which JSON.stringify refuses, its decimal string).
 *   jsonb then keeps each number's value (a double survives numeric and back), drops key
 *   order (chain.ts sorts keys) and keeps strings as they are.
 * - Unicode normalisation: none is applied, by Postgres or here. NFC and NFD forms of a name
 *   are different stored text and hash differently, so changing one into the other is
 *   caught as an edit.
 * - A key named `__proto__` is written by JSON.stringify but dropped by Prisma's reading of
 *   jsonb (a guard against prototype pollution), so it is stored as `[__proto__]`.
 * - uuid columns are returned in lower case.
 * Long strings are cut (and marked) to MAX_AUDIT_STRING.
 */

/** Longest string kept in an audit row's fields; longer ones are cut (and marked). */
export const MAX_AUDIT_STRING = 2000;

const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const LONE_SURROGATE = /\p{Cs}/gu;

/** A string as a text column (or a jsonb string) will hold it. */
export function storedText(text: string): string {
  const clean = text.replace(LONE_SURROGATE, "\uFFFD").replace(CONTROLS, " ");
  if (clean.length <= MAX_AUDIT_STRING) return clean;
  // The cut itself must not leave half a pair behind.
  const cut = clean.slice(0, MAX_AUDIT_STRING - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

export const storedTextOrNull = (text: string | null | undefined): string | null =>
  text === null || text === undefined ? null : storedText(text);

export const storedUuidOrNull = (id: string | null | undefined): string | null => (id ? id.toLowerCase() : null);

/** Structured details as the jsonb column will return them, secrets scrubbed from every string. */
export function storedDetails(details: Record<string, unknown>): unknown {
  const json = JSON.stringify(details, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
  return clean(JSON.parse(json ?? "{}") as unknown);
}

function clean(value: unknown): unknown {
  if (typeof value === "string") return storedText(scrubSecrets(value));
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storedKey(key), clean(item)]));
  }
  return value;
}

const storedKey = (key: string): string => (key === "__proto__" ? "[__proto__]" : storedText(key));
