import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { createApiTokenBodySchema, createUserBodySchema, teamNameSchema, updateUserBodySchema } from "./access";
import { displayNameSchema } from "./auth";
import { clusterNameSchema, labelsSchema } from "./clusters";
import { createSsoProviderBodySchema, ssoGroupMappingSchema } from "./sso";
import { rolloutRequestSchema, templateNameSchema } from "./templates";
import { invisibleCharacter, withoutInvisibleCharacters } from "./text";

/** Invisible or direction-changing characters that let one name pass for another. */
const INVISIBLE = [
  "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", // bidi embeddings and overrides
  "\u2066", "\u2067", "\u2068", "\u2069", // bidi isolates
  "\u200E", "\u200F", "\u061C", // direction marks
  "\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD", // zero width, BOM, soft hyphen
  "\u0000", "\u001B", "\u007F", "\u0085", // controls
  "\u2028", "\u2029", "\uD800", // separators, a lone surrogate
]; // prettier-ignore

const refuses = (schema: z.ZodType, value: unknown) => !schema.safeParse(value).success;

describe("names people read refuse invisible and direction-changing characters", () => {
  it.each(INVISIBLE.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`, c]))(
    "%s in user, token, team, cluster, template, release and provider names",
    (_label, c) => {
      const name = `ad${c}min`;
      expect(invisibleCharacter(name)).toMatch(/^U\+/);
      expect(refuses(displayNameSchema, name)).toBe(true);
      expect(refuses(updateUserBodySchema, { name })).toBe(true);
      expect(refuses(createUserBodySchema, { email: "a@example.com", name, password: "long enough password" })).toBe(
        true,
      );
      expect(refuses(createApiTokenBodySchema, { name })).toBe(true);
      expect(refuses(teamNameSchema, name)).toBe(true);
      expect(refuses(clusterNameSchema, name)).toBe(true);
      expect(refuses(labelsSchema, { team: name })).toBe(true);
      expect(refuses(templateNameSchema, name)).toBe(true);
      expect(
        refuses(rolloutRequestSchema, {
          releaseName: name,
          templateId: "00000000-0000-4000-8000-000000000000",
          revision: 1,
          targets: { clusterIds: ["00000000-0000-4000-8000-000000000000"] },
        }),
      ).toBe(true);
      expect(
        refuses(createSsoProviderBodySchema, {
          slug: "corp",
          displayName: name,
          issuer: "https://login.example",
          clientId: "c",
          clientSecret: "s",
        }),
      ).toBe(true);
      expect(refuses(ssoGroupMappingSchema, { group: name, admin: true })).toBe(true);
    },
  );

  it("names the character and the field", () => {
    const parsed = createApiTokenBodySchema.safeParse({ name: "invoice\u202Efdp.exe" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: ["name"], message: expect.stringMatching(/direction-changing.*U\+202E/) }),
    ]);
  });

  it("keeps ordinary text of any script, accents and emoji", () => {
    for (const name of ["Zoë Ångström", "محمد", "שלום", "李小龙", "Ada 🚀", "O'Brien-Smith"])
      expect(displayNameSchema.parse(name)).toBe(name);
  });

  it("strips the same characters from names that come from an identity provider", () => {
    expect(withoutInvisibleCharacters("Ad\u200Bmin\u202E \uD800x")).toBe("Admin x");
  });
});
