import "server-only";
import { createTwoFilesPatch } from "diff";
import pLimit from "p-limit";
import { stringify } from "yaml";
import type { CompareEntry, CompareResponse } from "@/lib/api/inventory-types";
import type { InventoryKind } from "@/lib/k8s/kinds";
import {
  canSeeNamespace,
  secretAccessFor,
  secretsAtLeast,
  visibleClusterIds,
  type AccessProfile,
} from "@/lib/server/access/policy";
import { userClusterClient } from "@/lib/server/access/user-cluster";
import { env } from "@/lib/server/config/env";
import { db } from "@/lib/server/db/client";
import { validationFailed } from "@/lib/server/errors/app-error";
import { classifyClusterError } from "@/lib/server/kube/errors";
import { maskObject, requestDigester, VALUE_BEARING_ANNOTATIONS } from "@/lib/server/redact/secret-mask";
import { fetchObject, refOfKind, type FullObject } from "./fetch-object";

/** Annotations controllers and kubectl write; they differ between clusters without meaning anything. */
const NOISY_ANNOTATIONS = [...VALUE_BEARING_ANNOTATIONS, "deployment.kubernetes.io/revision"];

/** What is compared: labels, meaningful annotations, and spec or data; never status or identity. Masked by the request's kind. */
function comparable(kind: InventoryKind, raw: FullObject): Record<string, unknown> {
  const object = maskObject(refOfKind(kind), raw) as FullObject;
  const annotations = Object.fromEntries(
    Object.entries(object.metadata.annotations ?? {}).filter(([key]) => !NOISY_ANNOTATIONS.includes(key)),
  );
  const body: Record<string, unknown> = { metadata: { labels: object.metadata.labels ?? {}, annotations } };
  for (const field of ["spec", "data", "binaryData", "type", "immutable"])
    if (object[field] !== undefined) body[field] = object[field];
  return body;
}

/**
 * One object across every cluster the caller may see it in: present or missing, a diff of
 * spec/data against a baseline cluster, and outliers (clusters that differ from the most
 * common version). Secrets are compared per key by an HMAC computed here with a key that
 * lives for this request only, so the answer says same/different without any value or a
 * digest that could be guessed offline.
 */
export async function compareObject(
  profile: AccessProfile,
  input: { kind: InventoryKind; namespace: string; name: string; baseline?: string },
): Promise<CompareResponse> {
  const secret = input.kind === "secrets";
  const visible = visibleClusterIds(profile);
  const clusters = (
    await db().cluster.findMany({
      where: visible === "all" ? undefined : { id: { in: [...visible] } },
      select: { id: true, name: true },
      orderBy: { name: "asc" },
    })
  ).filter(
    (cluster) =>
      canSeeNamespace(profile, cluster.id, input.namespace) &&
      (!secret || secretsAtLeast(secretAccessFor(profile, cluster.id, input.namespace), "metadata")),
  );
  if (input.baseline && !clusters.some((cluster) => cluster.id === input.baseline))
    throw validationFailed({ baseline: ["The baseline cluster is not one you can compare in"] });

  const timeoutMs = env().ARCHIPELAGO_CLUSTER_TIMEOUT_MS;
  const digest = requestDigester();
  const limit = pLimit(16);
  const fetched = await Promise.all(
    clusters.map((cluster) =>
      limit(async () => {
        try {
          const object = await fetchObject(
            await userClusterClient(profile, cluster.id),
            input.kind,
            input.namespace,
            input.name,
            timeoutMs,
          );
          return { cluster, object, error: null as string | null };
        } catch (error) {
          return { cluster, object: null, error: classifyClusterError(error).message };
        }
      }),
    ),
  );

  const secretDigests = (object: FullObject) =>
    Object.fromEntries(
      Object.entries(object.data ?? {}).map(([key, value]) => [key, digest(Buffer.from(value, "base64"))]),
    );
  const fingerprint = (object: FullObject) =>
    secret ? JSON.stringify(Object.entries(secretDigests(object)).sort()) : stringify(comparable(input.kind, object));

  const present = fetched.filter((entry) => entry.object);
  const counts = new Map<string, number>();
  for (const entry of present)
    counts.set(fingerprint(entry.object!), (counts.get(fingerprint(entry.object!)) ?? 0) + 1);
  const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const majorityIsPresent = present.length >= fetched.filter((entry) => !entry.error).length / 2;

  const baselineEntry = present.find((entry) => entry.cluster.id === input.baseline) ?? present[0];
  const baselineYaml = baselineEntry && !secret ? stringify(comparable(input.kind, baselineEntry.object!)) : "";
  const baselineDigests = baselineEntry && secret ? secretDigests(baselineEntry.object!) : {};

  const entries: CompareEntry[] = fetched.map(({ cluster, object, error }) => {
    if (error) return { clusterId: cluster.id, clusterName: cluster.name, state: "error", error, outlier: false };
    if (!object)
      return { clusterId: cluster.id, clusterName: cluster.name, state: "missing", outlier: majorityIsPresent };
    const outlier = fingerprint(object) !== majority || !majorityIsPresent;
    if (secret) {
      const digests = secretDigests(object);
      const keys: Record<string, "same" | "different" | "missing" | "extra"> = {};
      for (const key of new Set([...Object.keys(digests), ...Object.keys(baselineDigests)])) {
        keys[key] = !(key in digests)
          ? "missing"
          : !(key in baselineDigests)
            ? "extra"
            : digests[key] === baselineDigests[key]
              ? "same"
              : "different";
      }
      return {
        clusterId: cluster.id,
        clusterName: cluster.name,
        state: "present",
        keys,
        same: Object.values(keys).every((v) => v === "same"),
        outlier,
      };
    }
    const yaml = stringify(comparable(input.kind, object));
    const diff =
      yaml === baselineYaml
        ? ""
        : createTwoFilesPatch(baselineEntry!.cluster.name, cluster.name, baselineYaml, yaml, "", "", { context: 3 });
    return {
      clusterId: cluster.id,
      clusterName: cluster.name,
      state: "present",
      yaml,
      diff,
      same: diff === "",
      outlier,
    };
  });
  return { baseline: baselineEntry?.cluster.id ?? null, entries };
}
