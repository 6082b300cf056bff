import "server-only";
import type { Health } from "@/lib/k8s/kinds";
import type { AccessProfile } from "@/lib/server/access/policy";
import type { Manifest } from "@/lib/server/templates/documents";
import type { ObjectRef } from "@/lib/server/templates/desired";

/**
 * How the rollout engine talks to a cluster, and nothing else. Today the hub pushes
 * (HubPushExecutor: server-side apply from Archipelago). A later agent that pulls its work
 * from Archipelago implements the same interface: the engine hands it desired objects and
 * reads back outcomes and health, whoever does the applying.
 */

export type ObjectAction =
  "created" | "configured" | "unchanged" | "conflict" | "invalid" | "forbidden" | "error" | "deleted" | "missing";

export interface ObjectOutcome {
  ref: ObjectRef;
  action: ObjectAction;
  /** Field managers that own fields we tried to set (on conflict). */
  conflictManagers?: string[];
  /** Plain-words problem; never a remote response body. */
  error?: string;
  /** The object as the API server would store it (dry-run) or did store it (apply). */
  result?: Record<string, unknown>;
  /** The live object before the change (null when absent). */
  live?: Record<string, unknown> | null;
  /**
   * Conflict: the object belongs to someone else (see ownership.ts): another release (its id only:
   * its name is put in per reader, owner-words.ts), or managers outside Archipelago. Applied: the
   * owner it was taken over from.
   */
  owner?: ObjectOwner;
  tookOver?: boolean;
}

export type ObjectOwner = { releaseId: string } | { managers: string[] };

export interface ApplyOptions {
  dryRun: boolean;
  force: boolean;
  /**
   * Identity to impersonate on clusters that impersonate users: the email, team names and (for
   * a single sign-on user) provider groups, turned into headers by access/impersonation.ts.
   */
  actor?: { email: string; teams: string[]; providerGroups?: string[] };
  /**
   * The release applying (one owner per object, see ownership.ts): its own field manager, and an
   * object owned by another release or outside Archipelago is refused as a conflict unless
   * `takeOwnership` (the rollout's explicit option) and, from another release, `author` may steer
   * that release (access/ownership.ts). `author` also decides which owner names may be shown.
   */
  owner?: { releaseId: string; takeOwnership: boolean; author: AccessProfile | null };
  /** One deadline for every call this apply makes to the cluster (the fan-out's per-cluster limit). */
  signal?: AbortSignal;
}

export interface ObjectHealth {
  ref: ObjectRef;
  health: Health | "ready" | "missing";
  /** The version read, so a wait can start exactly there and miss no change. */
  resourceVersion?: string;
}

/** What the health gate waits for: a workload rolled out and available, or any other object present. */
export const isReady = (object: ObjectHealth): boolean => object.health === "healthy" || object.health === "ready";

export interface ReleaseExecutor {
  apply(clusterId: string, manifests: Manifest[], options: ApplyOptions): Promise<ObjectOutcome[]>;
  read(clusterId: string, refs: ObjectRef[]): Promise<Array<Record<string, unknown> | null>>;
  /** Deletes objects, but only those that still carry the release's label. */
  deleteOwned(
    clusterId: string,
    refs: ObjectRef[],
    releaseId: string,
    actor?: ApplyOptions["actor"],
  ): Promise<ObjectOutcome[]>;
  health(clusterId: string, refs: ObjectRef[]): Promise<ObjectHealth[]>;
  /**
   * Resolves when any of these objects may have changed since it was read, or after
   * maxWaitMs, whichever is first; never rejects. The health gate calls it between
   * checks, so a rollout moves on as soon as a cluster reports progress instead of on a
   * polling tick.
   */
  waitForChange(clusterId: string, observed: ObjectHealth[], maxWaitMs: number, signal?: AbortSignal): Promise<void>;
}
