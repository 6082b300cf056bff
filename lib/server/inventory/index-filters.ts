import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { ParsedSelector } from "@/lib/k8s/label-selector";
import { globToLike } from "@/lib/server/access/visibility-sql";
import { validationFailed } from "@/lib/server/errors/app-error";

/**
 * The inventory's filters as parameterised SQL over inventory_objects (`o`): nothing the
 * caller typed is ever concatenated into a statement. Label selectors arrive parsed
 * (lib/k8s/label-selector.ts validated every key and value); one that would make an
 * unreasonably large statement is refused with the reason.
 */

export const MAX_SELECTOR_REQUIREMENTS = 20;
export const MAX_SELECTOR_VALUES = 100;

export function labelSelectorSql(selector: ParsedSelector, alias = "o"): Prisma.Sql {
  const labels = Prisma.sql`${Prisma.raw(alias)}.labels`;
  const values = selector.requirements.reduce((sum, r) => sum + ("values" in r ? r.values.length : 0), 0);
  if (selector.requirements.length > MAX_SELECTOR_REQUIREMENTS || values > MAX_SELECTOR_VALUES)
    throw validationFailed({
      labelSelector: [
        `A label selector may have at most ${MAX_SELECTOR_REQUIREMENTS} requirements and ${MAX_SELECTOR_VALUES} values in all`,
      ],
    });
  if (selector.requirements.length === 0) return Prisma.sql`TRUE`;
  return Prisma.join(
    selector.requirements.map((requirement) => {
      switch (requirement.op) {
        case "exists":
          return Prisma.sql`(${labels} ? ${requirement.key})`;
        case "notexists":
          return Prisma.sql`NOT (${labels} ? ${requirement.key})`;
        case "in":
          return Prisma.sql`(${labels} ->> ${requirement.key}) = ANY (${requirement.values}::text[])`;
        case "notin":
          return Prisma.sql`NOT coalesce((${labels} ->> ${requirement.key}) = ANY (${requirement.values}::text[]), false)`;
      }
    }),
    " AND ",
  );
}

/** A namespace glob (validated by the query schema: letters, digits, '-', '*', '?') as a LIKE condition. */
export function namespaceGlobSql(glob: string, alias = "o"): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(alias)}.namespace LIKE ${globToLike(glob)}`;
}
