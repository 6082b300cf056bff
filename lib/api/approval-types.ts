import type { ClusterPreview } from "./rollout-types";

/** A rollout's approval, as its page shows it (GET /api/v1/rollouts/{id}/approval). */
export interface RolloutApprovalView {
  state: string;
  /** The change digest approvals are counted for (null: no policy applies). */
  digest: string | null;
  digestAt: string | null;
  /** Approvals given before this instant no longer count (ARCHIPELAGO_APPROVAL_TTL_MINUTES). */
  approvalsCountFrom: string;
  policies: Array<{
    id: string;
    name: string;
    clusterSelector: string;
    clusters: string[];
    required: number;
    approved: number;
  }>;
  decisions: Array<{
    userEmail: string;
    decision: "approved" | "rejected";
    comment: string;
    at: string;
    /** False: given for an earlier digest (a stale preview) or expired. */
    counts: boolean;
  }>;
  /** Whether the caller may approve or reject now, or why not. */
  you: { mayDecide: boolean; reason: string | null };
  /** The previewed change, per cluster the caller can see (masked, blind to secret values). */
  clusters: ClusterPreview[];
  /** Set when the approved preview went stale and a fresh one awaits approval. */
  stale: string | null;
}
