import "server-only";
import microdiff from "microdiff";
import { changeProjectionSchema, type ChangeDiffEntry, type ChangeProjection } from "@/lib/schemas/timeline";

/**
 * The diff of a timeline entry: which fields of the object's projection differ between before
 * and after, one entry per leaf (`labels.app`, `ready`, `detail.images.0`), the values beside it.
 * microdiff walks the two objects; we only name the paths and spread a whole added or removed
 * object (a created object's labels) into its fields, so "labels.team: added" reads the same
 * whether the object or just the label is new. Arrays stay whole when added or removed (an
 * image list), and are compared by position when both sides have them (microdiff's reading).
 *
 * The stored JSON is parsed with the projection schema first: only the projection's own fields
 * take part, so nothing else a row might carry can reach an answer. A side that is null (created,
 * deleted) counts as empty; a side that does not parse is reported as unreadable and counts as
 * empty too, rather than failing the whole page.
 */
export function projectionDiff(
  before: unknown,
  after: unknown,
): { diff: ChangeDiffEntry[]; unreadable: Array<"before" | "after"> } {
  const unreadable: Array<"before" | "after"> = [];
  const read = (value: unknown, side: "before" | "after"): ChangeProjection => {
    if (value === null || value === undefined) return {};
    const parsed = changeProjectionSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    unreadable.push(side);
    return {};
  };
  const old = read(before, "before");
  const next = read(after, "after");
  const diff: ChangeDiffEntry[] = [];
  for (const difference of microdiff(old, next)) {
    const path = difference.path.map(String);
    if (difference.type === "CHANGE") {
      diff.push({ path: path.join("."), op: "changed", before: difference.oldValue, after: difference.value });
    } else if (difference.type === "CREATE") {
      for (const [leaf, value] of leaves(path, difference.value)) diff.push({ path: leaf, op: "added", after: value });
    } else {
      for (const [leaf, value] of leaves(path, difference.oldValue))
        diff.push({ path: leaf, op: "removed", before: value });
    }
  }
  return { diff, unreadable };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** An added or removed value as its leaves: a plain object spreads into its fields, anything else is one leaf. */
function leaves(path: string[], value: unknown): Array<[string, unknown]> {
  if (!isPlainObject(value) || Object.keys(value).length === 0) return [[path.join("."), value]];
  return Object.entries(value).flatMap(([key, inner]) => leaves([...path, key], inner));
}
