import "server-only";
import { WORKLOAD_KINDS, type InventoryKind } from "@/lib/k8s/kinds";
import { transportFor } from "@/lib/server/clusters/connection";
import { impersonationHeaders } from "@/lib/server/access/impersonation";
import { db } from "@/lib/server/db/client";
import { logger } from "@/lib/server/log/logger";
import { scrubSecrets } from "@/lib/server/log/scrub";
import { classifyClusterError, classifyHttpStatus, isClusterCallError } from "@/lib/server/kube/errors";
import type { ClusterTransport, ExtraHeaders } from "@/lib/server/kube/transport";
import { projectWorkload, type KubeObject } from "@/lib/server/inventory/project";
import {
  boundManagerName,
  boundRemoteText,
  MAX_MANAGERS,
  REMOTE_ERROR_MAX,
  statusCauses,
} from "@/lib/server/redact/remote-text";
import { isSecretRef } from "@/lib/server/redact/secret-mask";
import type { Manifest } from "@/lib/server/templates/documents";
import { discoverResource } from "@/lib/server/kube/discovery";
import { deadlineReason } from "@/lib/server/kube/deadline";
import { applyTiers } from "./apply-order";
import { FIELD_MANAGER, RELEASE_LABEL, refOf, type ObjectRef } from "@/lib/server/templates/desired";
import {
  isReady,
  type ApplyOptions,
  type ObjectHealth,
  type ObjectOutcome,
  type ObjectOwner,
  type ReleaseExecutor,
} from "./executor";
import { mayTakeOverFrom } from "@/lib/server/access/ownership";
import { recordAudit } from "@/lib/server/audit/record";
import { ownerText } from "./owner-words";
import { fieldManagerFor, liveOwner, type LiveOwner } from "./ownership";
import { secretAsData } from "./secret-data";

/** Thrown for a kind the cluster does not serve: an object error, never a guessed REST path. */
export class UnknownKindError extends Error {
  override name = "UnknownKindError";
  constructor(ref: ObjectRef) {
    super(`The cluster does not serve ${ref.kind} in ${ref.apiVersion}`);
  }
}

async function objectPath(transport: ClusterTransport, ref: ObjectRef, signal?: AbortSignal): Promise<string> {
  const resource = await discoverResource(transport, ref.apiVersion, ref.kind, signal);
  if (!resource) throw new UnknownKindError(ref);
  const namespace = resource.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? "default")}` : "";
  return `${resource.prefix}${namespace}/${resource.plural}/${encodeURIComponent(ref.name)}`;
}

/** One rule for what a cluster is told about the user (access/impersonation.ts), whoever calls. */
const headersFor = (actor: ApplyOptions["actor"], impersonate: boolean): ExtraHeaders =>
  actor
    ? impersonationHeaders(
        { email: actor.email, teamNames: actor.teams, providerGroups: actor.providerGroups },
        impersonate,
      )
    : {};

/** Manager names from a 409 Status (bounded, see lib/server/redact/remote-text.ts); nothing else of the body is kept. */
function conflictManagers(body: Buffer): string[] {
  try {
    const status = JSON.parse(body.toString("utf8")) as { details?: { causes?: Array<{ message?: unknown }> } };
    const causes = Array.isArray(status.details?.causes) ? status.details.causes : [];
    const managers = causes
      .map((cause) => /conflict with "([^"]+)"/.exec(typeof cause?.message === "string" ? cause.message : "")?.[1])
      .filter((name): name is string => Boolean(name))
      .map(boundManagerName)
      .filter(Boolean);
    return [...new Set(managers)].slice(0, MAX_MANAGERS);
  } catch {
    return [];
  }
}

/**
 * Field and reason of a 422 Status, so the author sees what the API server rejected: a
 * reason code, the field path and a bounded message. Messages about a Secret can quote
 * the value, so for a Secret (known from the reference) only field and reason are kept.
 */
function invalidReasons(body: Buffer, secret: boolean): string {
  const causes = statusCauses(body, !secret);
  if (causes.length === 0) return "The API server rejected the object as invalid";
  return boundRemoteText(
    causes.map((cause) => `${cause.field}: ${cause.reason}${cause.message ? ` (${cause.message})` : ""}`).join("; "),
    REMOTE_ERROR_MAX,
  );
}

async function clusterContext(clusterId: string) {
  // One read for both: the revision lets transportFor reuse its cached connection.
  const cluster = await db().cluster.findUnique({
    where: { id: clusterId },
    select: { impersonateUsers: true, revision: true },
  });
  return {
    transport: await transportFor(clusterId, cluster?.revision),
    impersonate: cluster?.impersonateUsers ?? false,
  };
}

export class HubPushExecutor implements ReleaseExecutor {
  async apply(clusterId: string, manifests: Manifest[], options: ApplyOptions): Promise<ObjectOutcome[]> {
    const { transport, impersonate } = await clusterContext(clusterId);
    const headers = headersFor(options.actor, impersonate);
    const outcomes: ObjectOutcome[] = new Array(manifests.length);
    // Namespaces, then CRDs, then the rest together: what others need exists first, and
    // a cluster far away costs one round trip per tier instead of one per object.
    for (const tier of applyTiers(manifests)) {
      await Promise.all(
        tier.map(
          async (index) =>
            (outcomes[index] = await this.applyOne(transport, manifests[index]!, options, headers, clusterId)),
        ),
      );
    }
    return outcomes;
  }

  private async applyOne(
    transport: ClusterTransport,
    manifest: Manifest,
    options: ApplyOptions,
    headers: ExtraHeaders,
    clusterId: string,
  ): Promise<ObjectOutcome> {
    const ref = refOf(manifest);
    const signal = options.signal;
    try {
      const path = await objectPath(transport, ref, signal);
      // Previews and drift checks compare with the live object, and a release checks who owns
      // it before writing; a plain apply without an owner only needs the API server's answer.
      const live = options.dryRun || options.owner ? await this.readOne(transport, path, headers, signal) : undefined;
      const owner = options.owner ? liveOwner(live, options.owner.releaseId) : null;
      let force = options.force;
      let takenFrom: Extract<LiveOwner, { type: "release" | "outside" }> | null = null;
      if (owner && options.owner && (owner.type === "release" || owner.type === "outside")) {
        const refusal = await this.refusal(owner, options.owner);
        if (refusal) return { ref, action: "conflict", live, ...refusal };
        // Taking ownership takes every field, whoever set it.
        force = true;
        takenFrom = owner;
      }
      const fieldManager = options.owner ? fieldManagerFor(options.owner.releaseId, owner!) : FIELD_MANAGER;
      const response = await transport.request(
        {
          method: "PATCH",
          path,
          query: { fieldManager, force, dryRun: options.dryRun ? "All" : undefined },
          // A Secret's keys go in `data`, so server-side apply records who owns each (secret-data.ts).
          body: isSecretRef(ref) ? secretAsData(manifest) : manifest,
          contentType: "application/apply-patch+yaml",
          signal,
        },
        headers,
      );
      if (response.status === 409)
        return {
          ref,
          action: "conflict",
          conflictManagers: conflictManagers(response.body),
          error: "Fields are owned by another manager",
          live,
        };
      if (response.status === 422 || response.status === 400)
        return { ref, action: "invalid", error: invalidReasons(response.body, isSecretRef(ref)), live };
      if (response.status === 403)
        return { ref, action: "forbidden", error: "The cluster refused this object (403)", live };
      const failure = classifyHttpStatus(response.status);
      if (failure) throw failure;
      const result = JSON.parse(response.body.toString("utf8")) as Record<string, unknown>;
      const action =
        live === undefined || !options.dryRun
          ? response.status === 201
            ? "created"
            : "configured"
          : !live
            ? "created"
            : sameContent(live, result)
              ? "unchanged"
              : "configured";
      if (takenFrom && !options.dryRun && options.owner)
        await auditTakeOver(clusterId, ref, options.owner, takenFrom, options.actor?.email);
      return {
        ref,
        action,
        result,
        live,
        ...(takenFrom && options.owner ? { tookOver: true, owner: this.named(takenFrom) } : {}),
      };
    } catch (error) {
      if (error instanceof UnknownKindError) return { ref, action: "invalid", error: error.message };
      // The fan-out's deadline for this cluster is over: the cluster timed out, not this object.
      if (signal?.aborted) throw deadlineReason(signal);
      const classified = classifyClusterError(error);
      if (classified.code === "unknown")
        logger.warn(
          {
            clusterId,
            kind: ref.kind,
            errorName: error instanceof Error ? error.name : typeof error,
            errorCode: (error as { code?: unknown })?.code,
            detail: error instanceof Error ? scrubSecrets(error.message).slice(0, 200) : undefined,
          },
          "apply of an object failed unexpectedly",
        );
      return { ref, action: "error", error: classified.message };
    }
  }

  /** The owner as kept: a release by id only (its name is put in per reader, owner-words.ts), or the managers. */
  private named(owner: Extract<LiveOwner, { type: "release" | "outside" }>): ObjectOwner {
    return owner.type === "outside" ? { managers: owner.managers } : { releaseId: owner.releaseId };
  }

  /** Why an object owned by someone else is not written (null: the rollout takes it over, and may). */
  private async refusal(
    owner: Extract<LiveOwner, { type: "release" | "outside" }>,
    applying: NonNullable<ApplyOptions["owner"]>,
  ): Promise<Pick<ObjectOutcome, "owner" | "error" | "conflictManagers"> | null> {
    const named = this.named(owner);
    const words = ownerText(named);
    const conflictManagers = "managers" in named ? named.managers : undefined;
    if (!applying.takeOwnership)
      return {
        owner: named,
        conflictManagers,
        error: `Owned by ${words}; not written (a rollout that takes ownership may take it over)`,
      };
    if (owner.type === "release" && !(await mayTakeOverFrom(applying.author, owner.releaseId)))
      return {
        owner: named,
        error: `Owned by ${words}; taking it over needs the right to steer that release`,
      };
    return null;
  }

  async read(clusterId: string, refs: ObjectRef[]): Promise<Array<Record<string, unknown> | null>> {
    const { transport } = await clusterContext(clusterId);
    return Promise.all(refs.map(async (ref) => this.readOne(transport, await objectPath(transport, ref), {})));
  }

  async deleteOwned(
    clusterId: string,
    refs: ObjectRef[],
    releaseId: string,
    actor?: ApplyOptions["actor"],
  ): Promise<ObjectOutcome[]> {
    const { transport, impersonate } = await clusterContext(clusterId);
    const headers = headersFor(actor, impersonate);
    const outcomes: ObjectOutcome[] = [];
    for (const ref of refs) {
      try {
        const path = await objectPath(transport, ref);
        const live = await this.readOne(transport, path, headers);
        // Only what we created for this release is ours to delete.
        const labels = (live?.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
        if (!live) {
          outcomes.push({ ref, action: "missing" });
          continue;
        }
        if (labels[RELEASE_LABEL] !== releaseId) {
          outcomes.push({
            ref,
            action: "unchanged",
            error: "Not deleted: the object no longer belongs to this release",
          });
          continue;
        }
        // Only the object just read: one that changed since (relabelled, replaced) is not deleted.
        const meta = live.metadata as { uid?: string; resourceVersion?: string } | undefined;
        const response = await transport.request(
          {
            method: "DELETE",
            path,
            body: {
              kind: "DeleteOptions",
              apiVersion: "v1",
              propagationPolicy: "Background",
              preconditions: { uid: meta?.uid, resourceVersion: meta?.resourceVersion },
            },
          },
          headers,
        );
        if (response.status === 409) {
          outcomes.push({ ref, action: "unchanged", error: "Not deleted: the object changed since it was read" });
          continue;
        }
        const failure = response.status === 404 ? null : classifyHttpStatus(response.status);
        if (failure) throw failure;
        outcomes.push({ ref, action: "deleted" });
      } catch (error) {
        outcomes.push({ ref, action: "error", error: classifyClusterError(error).message });
      }
    }
    return outcomes;
  }

  async health(clusterId: string, refs: ObjectRef[]): Promise<ObjectHealth[]> {
    const objects = await this.read(clusterId, refs);
    return refs.map((ref, index) => {
      const object = objects[index];
      if (!object) return { ref, health: "missing" };
      const resourceVersion = (object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      const plural = `${ref.kind.toLowerCase()}s` as InventoryKind;
      if (!WORKLOAD_KINDS.includes(plural) || plural === "cronjobs") return { ref, health: "ready", resourceVersion };
      return {
        ref,
        health: projectWorkload(plural, object as unknown as KubeObject).health ?? "ready",
        resourceVersion,
      };
    });
  }

  /**
   * One watch per object still on its way (field selector on its name, from the version
   * just read): the first event after that version ends the wait. Objects without a
   * version (missing) are simply re-read when maxWaitMs is up.
   */
  async waitForChange(
    clusterId: string,
    observed: ObjectHealth[],
    maxWaitMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const pending = observed.filter((o) => !isReady(o) && o.resourceVersion);
    const stop = new AbortController();
    const ended = new Promise<void>((resolve) =>
      stop.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    const timer = setTimeout(() => stop.abort(), maxWaitMs);
    const onAbort = () => stop.abort();
    if (signal?.aborted) stop.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const { transport } = await clusterContext(clusterId);
      for (const { ref, resourceVersion } of pending) {
        // A watch that fails, or a cluster that hangs, just leaves the timer to end the wait.
        void objectPath(transport, ref)
          .then((path) =>
            transport.stream(
              {
                path: path.slice(0, path.lastIndexOf("/")),
                query: {
                  watch: 1,
                  fieldSelector: `metadata.name=${ref.name}`,
                  resourceVersion,
                  timeoutSeconds: Math.max(1, Math.ceil(maxWaitMs / 1000)),
                },
                idleTimeoutMs: maxWaitMs + 5000,
              },
              () => stop.abort(),
              stop.signal,
            ),
          )
          .catch(() => undefined);
      }
    } catch {
      // No transport (e.g. the cluster was removed): wait out the timer; the next read reports it.
    }
    await ended;
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }

  private async readOne(
    transport: ClusterTransport,
    path: string,
    headers: ExtraHeaders,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown> | null> {
    try {
      return await transport.json<Record<string, unknown>>({ method: "GET", path, signal }, headers);
    } catch (error) {
      if (isClusterCallError(error) && error.code === "not_found") return null;
      throw error;
    }
  }
}

/**
 * A take-over is audited where it happens (the apply that moved the object), naming the object,
 * the release that took it and the owner it was taken from, whichever path applied it.
 */
async function auditTakeOver(
  clusterId: string,
  ref: ObjectRef,
  applying: NonNullable<ApplyOptions["owner"]>,
  from: Extract<LiveOwner, { type: "release" | "outside" }>,
  actorEmail: string | undefined,
): Promise<void> {
  await recordAudit({
    // The worker acts for the rollout's author: named, marked as background work.
    actor: {
      userId: applying.author?.userId ?? null,
      email: actorEmail ?? applying.author?.email ?? "archipelago",
      via: "system",
    },
    action: "release.object-taken-over",
    target: { cluster: clusterId, namespace: ref.namespace, kind: ref.kind, name: ref.name },
    result: "success",
    details: {
      releaseId: applying.releaseId,
      ...(from.type === "release" ? { fromReleaseId: from.releaseId } : { fromManagers: from.managers }),
    },
  });
}

/** Compares what matters (spec, data, labels, annotations), not bookkeeping. */
export function comparableObject(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const copy: Record<string, unknown> = {
    metadata: { labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} },
  };
  for (const [key, value] of Object.entries(object))
    if (!["metadata", "status", "apiVersion", "kind"].includes(key)) copy[key] = value;
  return copy;
}

export function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(sortKeys(comparableObject(a))) === JSON.stringify(sortKeys(comparableObject(b)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  return value;
}

export const executor: ReleaseExecutor = new HubPushExecutor();
