import "server-only";
import { Gauge } from "prom-client";
import { db } from "@/lib/server/db/client";
import { RolloutState, TargetState } from "@/lib/generated/prisma/enums";
import { bounded, defineOnce, sharedRead } from "./registry";

/** Rollouts and their targets (one per cluster) by state: one GROUP BY over both tables per scrape. */

interface StateCount {
  table: "rollouts" | "targets";
  state: string;
  n: number;
}

const readCounts = sharedRead(
  () => db().$queryRaw<StateCount[]>`
    SELECT 'rollouts' AS "table", state::text AS state, count(*)::int AS n FROM rollouts GROUP BY state
    UNION ALL
    SELECT 'targets', state::text, count(*)::int FROM rollout_targets GROUP BY state`,
);

export function defineRolloutMetrics(): void {
  defineOnce("rollouts", (registry) => {
    const gauge = (name: string, help: string, table: StateCount["table"], states: string[]) =>
      new Gauge({
        name,
        help,
        labelNames: ["state"],
        registers: [registry],
        async collect() {
          this.reset();
          await bounded("rollouts", readCounts, (rows) => {
            for (const state of states)
              this.set({ state }, rows.find((row) => row.table === table && row.state === state)?.n ?? 0);
          });
        },
      });
    gauge("archipelago_rollouts", "Rollouts by state", "rollouts", Object.values(RolloutState));
    gauge(
      "archipelago_rollout_targets",
      "Rollout targets (one cluster of a rollout each) by state",
      "targets",
      Object.values(TargetState),
    );
    return true;
  });
}
