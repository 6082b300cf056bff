import "server-only";

/**
 * The rollout engine, one job per file (its table: state-machine.ts):
 * - advance.ts: the rollout's state machine (waves, counting how targets ended, rollback, end);
 * - apply-target.ts: one target: apply with the author's access, prune, health gate, record;
 * - rollback-target.ts: one target of a failed wave put back as it was;
 * - target-steps.ts: claims, the step log, moves along the table, attempts per phase;
 * - releases/release-write.ts: render with secrets, apply, write the release record (shared with heal);
 * - releases/writers.ts: one writer per release and cluster (a rollout holds its clusters).
 * The engine talks to clusters only through the ReleaseExecutor it is handed (worker.ts hands
 * it the hub-push one; tests hand it a fake).
 */
export { advance } from "./advance";
export { runTarget } from "./apply-target";
export { rollbackTarget } from "./rollback-target";
export { MAX_TARGET_ATTEMPTS } from "./target-steps";
