import { z } from "zod";

/**
 * Keyset paging shared by every list that can grow without bound (rollouts, releases, audit).
 * A page answers `{ …items, total, nextCursor }`; the next page is asked for with
 * `?cursor=<nextCursor>`. The cursor is opaque to clients: base64url of a small JSON object
 * naming its list and the sort key of the last row served. Decoding is validation: anything
 * that is not a cursor this list gave out (edited, truncated, another list's) is a 400 on
 * the `cursor` field, never a 500. A cursor carries no authority: the next page is filtered
 * by the caller's access exactly like the first, so a hand-made cursor only moves the start.
 */

export interface Page {
  /** Every row the caller can see (under the filters), counted in SQL. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const MAX_CURSOR_LENGTH = 1024;

function toBase64Url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(encoded: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return null;
  try {
    const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

export function encodeCursor<K extends string, T extends object>(list: K, key: T): string {
  return toBase64Url(JSON.stringify({ list, ...key }));
}

/** A query parameter holding a cursor of `list`, decoded into its sort key (or a field error on `cursor`). */
export function cursorSchema<K extends string, T extends z.ZodRawShape>(list: K, key: T) {
  const shape = z.strictObject({ list: z.literal(list), ...key });
  return z
    .string()
    .max(MAX_CURSOR_LENGTH, "cursor is not a cursor this list gave out")
    .transform((raw, context) => {
      const text = fromBase64Url(raw);
      let json: unknown;
      try {
        json = text === null ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      const parsed = shape.safeParse(json);
      if (!parsed.success) {
        context.addIssue({ code: "custom", message: "cursor is not a cursor this list gave out" });
        return z.NEVER;
      }
      return parsed.data;
    });
}

/** `pageSize`: 1 to max, default `fallback`. Anything else (0, 10^20, "abc") is a 400 naming the field. */
export const pageSizeSchema = (max: number, fallback: number) =>
  z.coerce
    .number({ error: "pageSize must be a number" })
    .int("pageSize must be a whole number")
    .min(1, "pageSize must be 1 or more")
    .max(max, `pageSize must be at most ${max}`)
    .default(fallback);

/** Row ids in cursors: UUIDs as the database writes them. */
export const cursorUuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
