import "server-only";
import { discoverResource } from "@/lib/server/kube/discovery";
import { transportFor } from "./connection";

/** The part of an object that says what it is (and, for a CRD, what it defines). */
export interface TypedObject {
  apiVersion: string;
  kind: string;
  spec?: unknown;
}

export const kindKey = (object: { apiVersion: string; kind: string }) => `${object.apiVersion}|${object.kind}`;

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { kind?: string };
  versions?: Array<{ name?: string }>;
}

/** Kinds defined by CRDs in the same set of objects: the cluster cannot know them before the CRD is applied. */
function kindsDefinedBy(objects: TypedObject[]): Map<string, boolean> {
  const defined = new Map<string, boolean>();
  for (const object of objects) {
    if (object.kind !== "CustomResourceDefinition" || !object.apiVersion.startsWith("apiextensions.k8s.io/")) continue;
    const spec = (object.spec ?? {}) as CrdSpec;
    if (!spec.group || !spec.names?.kind) continue;
    for (const version of spec.versions ?? [])
      if (version.name)
        defined.set(
          kindKey({ apiVersion: `${spec.group}/${version.name}`, kind: spec.names.kind }),
          spec.scope !== "Cluster",
        );
  }
  return defined;
}

/**
 * Whether each object's kind is namespaced on this cluster: true, false, or null when the
 * cluster does not serve the kind (and no CRD among the objects defines it). Asked of the
 * cluster's discovery; cluster failures are thrown, for the caller to name the cluster.
 * A caller that has just read the cluster row passes its revision: one query less per target.
 */
export async function namespacedKinds(
  clusterId: string,
  objects: TypedObject[],
  signal?: AbortSignal,
  knownRevision?: number,
): Promise<Map<string, boolean | null>> {
  const defined = kindsDefinedBy(objects);
  const transport = await transportFor(clusterId, knownRevision);
  const answers = new Map<string, boolean | null>();
  for (const object of objects) {
    const key = kindKey(object);
    if (answers.has(key)) continue;
    if (defined.has(key)) {
      answers.set(key, defined.get(key)!);
      continue;
    }
    const resource = await discoverResource(transport, object.apiVersion, object.kind, signal);
    answers.set(key, resource ? resource.namespaced : null);
  }
  return answers;
}
