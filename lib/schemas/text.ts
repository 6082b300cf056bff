import type { z } from "zod";

/**
 * Names people read (users, tokens, teams, clusters, templates, releases, identity providers)
 * must look like what they are. Characters that are invisible or change the direction of the
 * text around them let one name pass for another ("admin\u202Egnp.exe", "ad\u200Bmin"), so
 * they are refused where a name enters, by this one refinement:
 *
 * - Cc: control characters (NUL, ESC, DEL, the C1 range);
 * - Cf: format characters — the bidi embeddings/overrides/isolates (U+202A–U+202E,
 *   U+2066–U+2069), the marks U+200E/U+200F, zero-width space/joiners (U+200B–U+200D),
 *   the word joiner U+2060, the byte-order mark U+FEFF, soft hyphen, and the rest of the
 *   category as Unicode grows it (property escapes, not a hand list that ages);
 * - Cs: a lone surrogate (malformed UTF-16; route() refuses it everywhere before this);
 * - Zl, Zp: line and paragraph separators, which break a name across lines.
 *
 * Zero-width joiners are refused too, which also refuses emoji sequences that need one; a
 * name is not the place for them. Free text (descriptions, messages) is not a name and keeps
 * line breaks; route() still refuses its control characters.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** The first invisible or direction-changing character of `value`, as U+XXXX, or null. */
export function invisibleCharacter(value: string): string | null {
  const match = INVISIBLE.exec(value);
  if (!match) return null;
  return `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** A string schema for a name people read: the given schema, refusing invisible and direction-changing characters. */
export function visibleName<T extends z.ZodType<string, string>>(schema: T, what = "Name") {
  return schema.superRefine((value, context) => {
    const found = invisibleCharacter(value);
    if (found)
      context.addIssue({
        code: "custom",
        message: `${what} must not contain invisible or direction-changing characters (found ${found})`,
      });
  });
}

/** For names that arrive from elsewhere (an identity provider's claim): the same characters removed, not refused. */
export function withoutInvisibleCharacters(value: string): string {
  return value.replace(new RegExp(INVISIBLE.source, "gu"), "");
}
