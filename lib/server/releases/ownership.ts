import "server-only";
import { z } from "zod";
import { boundManagerName, MAX_MANAGERS } from "@/lib/server/redact/remote-text";
import { FIELD_MANAGER, RELEASE_LABEL } from "@/lib/server/templates/desired";

/**
 * One owner per object, like Helm and Argo CD. An object belongs to the release whose label
 * (`archipelago.dev/release`) it carries; an object that exists without that label belongs to
 * whoever created it outside Archipelago (named by its field managers). A release writes only
 * objects that are free or its own, unless its rollout explicitly takes ownership (and, from
 * another release, its author may steer that one: access/ownership.ts).
 *
 * Each release applies with its own field manager, `archipelago/<releaseId>` (47 characters,
 * within the API server's 128), so server-side apply itself tells releases apart too. Objects
 * applied before that, with the shared manager `archipelago`, keep being applied under that
 * name by the release whose label they carry (the label decides ownership either way), so a
 * change of values never conflicts with our own older entry; a take-over moves them to the
 * new manager.
 */

export const LEGACY_FIELD_MANAGER = FIELD_MANAGER;
export const releaseFieldManager = (releaseId: string) => `${FIELD_MANAGER}/${releaseId}`;

const liveMetaSchema = z
  .object({
    labels: z.record(z.string(), z.string()).optional().catch(undefined),
    managedFields: z
      .array(z.object({ manager: z.string().optional().catch(undefined), subresource: z.string().optional() }).loose())
      .optional()
      .catch(undefined),
  })
  .loose()
  .catch({});

export type LiveOwner =
  | { type: "free" }
  | { type: "ours"; legacyManager: boolean }
  | { type: "release"; releaseId: string }
  | { type: "outside"; managers: string[] };

/** Who owns a live object, from the point of view of release `releaseId`. */
export function liveOwner(live: Record<string, unknown> | null | undefined, releaseId: string): LiveOwner {
  if (!live) return { type: "free" };
  const meta = liveMetaSchema.parse(live.metadata);
  const managers = (meta.managedFields ?? [])
    // Status writers (controllers reporting on the object) do not own what it is.
    .filter((entry) => entry.subresource !== "status" && entry.manager)
    .map((entry) => entry.manager!);
  const label = meta.labels?.[RELEASE_LABEL];
  // The old shared name counts as ours only while this release has no entry of its own on the object.
  if (label === releaseId)
    return {
      type: "ours",
      legacyManager: managers.includes(LEGACY_FIELD_MANAGER) && !managers.includes(releaseFieldManager(releaseId)),
    };
  if (label) return { type: "release", releaseId: label };
  const named = [...new Set(managers.map(boundManagerName).filter(Boolean))].slice(0, MAX_MANAGERS);
  return { type: "outside", managers: named.length ? named : ["an unknown manager"] };
}

/** The field manager release `releaseId` applies this object with (see above for the legacy name). */
export const fieldManagerFor = (releaseId: string, owner: LiveOwner) =>
  owner.type === "ours" && owner.legacyManager ? LEGACY_FIELD_MANAGER : releaseFieldManager(releaseId);
