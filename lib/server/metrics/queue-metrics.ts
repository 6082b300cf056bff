import "server-only";
import { Gauge } from "prom-client";
import { QUEUES, queueState } from "@/lib/server/jobs/queue";
import { bounded, defineOnce } from "./registry";

/**
 * Jobs waiting in each pg-boss queue (created or retrying, not yet taken by a worker). The
 * queue lives in Postgres, so any instance that runs the queue reports the same numbers;
 * an instance that does not run it (none started in this process) reports none.
 */
export function defineQueueMetrics(): void {
  defineOnce("queue", (registry) => {
    new Gauge({
      name: "archipelago_job_queue_depth",
      help: "Jobs waiting in each job queue (not yet taken by a worker)",
      labelNames: ["queue"],
      registers: [registry],
      async collect() {
        this.reset();
        const boss = queueState()?.boss;
        if (!boss) return;
        const names = Object.values(QUEUES);
        await bounded(
          "job_queue",
          () => Promise.all(names.map((name) => boss.getQueueSize(name, { before: "active" }))),
          (sizes) => {
            names.forEach((queue, i) => this.set({ queue }, sizes[i]!));
          },
        );
      },
    });
    return true;
  });
}
