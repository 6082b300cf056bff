import "server-only";
import type { AccessProfile } from "@/lib/server/access/policy";
import { ownerReleaseNameFor } from "@/lib/server/access/ownership";
import type { ObjectOwner } from "./executor";

/**
 * Words for the owner of an object, per reader. What is stored (a target's error and objects,
 * drift details) names another release only by a token holding its id, never by its name: the
 * name is put in when someone reads it, as that reader may know it (rule `release.read`,
 * access/ownership.ts), else "another release you cannot see". Words made with one person's
 * access and stored would tell every later reader a name they may not know.
 */

const TOKEN = /\{release ([0-9a-fA-F-]{36})\}/g;

/** The owner as stored: a release by token, managers outside Archipelago by name. */
export const ownerText = (owner: ObjectOwner): string =>
  "releaseId" in owner ? `{release ${owner.releaseId}}` : `${owner.managers.join(", ")} (outside Archipelago)`;

/** Stored text with every release token put in words for `viewer` (no viewer: no name). */
export async function namedFor(viewer: AccessProfile | null, text: string): Promise<string>;
export async function namedFor(viewer: AccessProfile | null, text: string | null): Promise<string | null>;
export async function namedFor(viewer: AccessProfile | null, text: string | null): Promise<string | null> {
  if (!text || !text.includes("{release ")) return text;
  const names = new Map<string, string>();
  for (const [, id] of text.matchAll(TOKEN))
    if (!names.has(id!)) {
      const name = viewer ? await ownerReleaseNameFor(viewer, id!) : null;
      names.set(id!, name === null ? "another release you cannot see" : `release "${name}"`);
    }
  return text.replace(TOKEN, (_, id: string) => names.get(id)!);
}
