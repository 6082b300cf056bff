"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { OwnerTeamBadge } from "@/components/teams/owner-team-badge";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { controlRollout } from "@/lib/api/rollouts";
import { rolloutKeys, rolloutQuery } from "@/lib/queries/rollouts";
import { ApprovalPanel } from "./approval-panel";
import { TemplateRef } from "./template-ref";
import { formatSpan } from "@/lib/format/duration";

const STATE_STYLE: Record<string, string> = {
  awaiting_approval: "bg-violet-50 text-violet-800 ring-violet-200",
  rejected: "bg-red-50 text-red-800 ring-red-200",
  running: "bg-sky-50 text-sky-800 ring-sky-200",
  paused: "bg-amber-50 text-amber-900 ring-amber-200",
  succeeded: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  aborted: "bg-slate-100 text-slate-700 ring-slate-300",
  rolling_back: "bg-amber-50 text-amber-900 ring-amber-200",
  rolled_back: "bg-amber-50 text-amber-900 ring-amber-200",
  pending: "bg-slate-50 text-slate-600 ring-slate-200",
  queued: "bg-slate-50 text-slate-600 ring-slate-200",
  applying: "bg-sky-50 text-sky-800 ring-sky-200",
  gating: "bg-sky-50 text-sky-800 ring-sky-200",
  baking: "bg-indigo-50 text-indigo-800 ring-indigo-200",
  skipped: "bg-slate-50 text-slate-500 ring-slate-200",
};

export function StateBadge({ state }: { state: string }) {
  return (
    <span
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STATE_STYLE[state] ?? STATE_STYLE.pending}`}
    >
      {state.replace("_", " ")}
    </span>
  );
}

const seconds = (from: string | null, to: string | null) => formatSpan(from, to);

/** Live progress: waves, clusters and objects, with timings, health-gate progress and errors. */
export function RolloutProgress({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const query = useQuery(rolloutQuery(id));
  const control = useMutation({
    mutationFn: (action: "pause" | "resume" | "abort") => controlRollout(id, action),
    onSuccess: (rollout) => {
      queryClient.setQueryData(rolloutKeys.rollout(id), rollout);
      void queryClient.invalidateQueries({ queryKey: rolloutKeys.rollouts });
    },
  });
  const rollout = query.data;
  return (
    <QueryState isPending={query.isPending} error={query.error} label="Rollout">
      {rollout ? (
        <div className="space-y-6">
          <div className="flex flex-wrap items-center gap-3">
            <span data-testid="rollout-state">
              <StateBadge state={rollout.state} />
            </span>
            <OwnerTeamBadge team={rollout.team} />
            <span className="text-sm text-slate-600">
              <TemplateRef template={rollout.template} /> revision {rollout.revision} → release{" "}
              <Link href={`/rollouts/releases/${rollout.release.id}`} className="text-indigo-700 underline">
                {rollout.release.name}
              </Link>{" "}
              · by {rollout.createdByEmail} · {new Date(rollout.createdAt).toLocaleString()}
            </span>
            <div className="ml-auto flex gap-2">
              {rollout.state === "running" ? (
                <Button variant="secondary" pending={control.isPending} onClick={() => control.mutate("pause")}>
                  Pause
                </Button>
              ) : null}
              {rollout.state === "paused" ? (
                <Button variant="secondary" pending={control.isPending} onClick={() => control.mutate("resume")}>
                  Resume
                </Button>
              ) : null}
              {rollout.state === "running" || rollout.state === "paused" || rollout.state === "awaiting_approval" ? (
                <Button
                  variant="danger"
                  pending={control.isPending}
                  onClick={() =>
                    window.confirm(
                      "Abort this rollout? Clusters not started are skipped; nothing is rolled back automatically.",
                    ) && control.mutate("abort")
                  }
                >
                  Abort
                </Button>
              ) : null}
            </div>
          </div>
          {rollout.message ? (
            <Alert tone={rollout.state === "succeeded" ? "info" : "warning"}>{rollout.message}</Alert>
          ) : null}
          {control.error ? <Alert>{control.error.message}</Alert> : null}
          {rollout.freezeOverride ? (
            <Alert tone="warning">
              <span data-testid="freeze-override">
                Change freezes overridden by {rollout.freezeOverride.by}: {rollout.freezeOverride.reason}
              </span>
            </Alert>
          ) : null}
          <ApprovalPanel id={id} />
          {rollout.secretParams.length ? (
            <div data-testid="rollout-secret-params" className="text-sm text-slate-600">
              {rollout.secretParams.map((secret) => (
                <p key={secret.path}>
                  Secret parameter <span className="font-mono">{secret.path}</span>:{" "}
                  {secret.set
                    ? `set by ${secret.setBy} at ${new Date(secret.setAt!).toLocaleString()} · fingerprint ${secret.fingerprint}`
                    : "not set"}
                </p>
              ))}
              {rollout.events.some((event) => event.step === "rollout.secret-params-from-revision") ? (
                <p>A rollback: secret parameters use the values revision #{rollout.revision} was rolled out with.</p>
              ) : null}
            </div>
          ) : null}
          {rollout.waves.map((wave) => (
            <Section
              key={wave.index}
              title={`Wave ${wave.index + 1}`}
              actions={
                <span data-testid={`wave-${wave.index + 1}-state`}>
                  <StateBadge state={wave.waitingForWindow ? "waiting for window" : wave.state} />
                </span>
              }
            >
              {wave.waitingForWindow ? (
                <p data-testid={`wave-${wave.index + 1}-window`} className="mb-2 text-xs text-amber-700">
                  {wave.windowOpensAt
                    ? `Waiting for window: may run at ${new Date(wave.windowOpensAt).toLocaleString()}`
                    : "Waiting for window: no opening within a year"}
                  {wave.windowWait ? ` · ${wave.windowWait}` : null}
                </p>
              ) : null}
              {wave.bakeUntil && wave.state === "baking" ? (
                <p className="mb-2 text-xs text-indigo-700">
                  Baking until {new Date(wave.bakeUntil).toLocaleTimeString()}
                </p>
              ) : null}
              <ul className="divide-y divide-slate-100">
                {rollout.targets
                  .filter((t) => t.wave === wave.index)
                  .map((target) => (
                    <li key={target.id} data-testid={`target-${target.clusterName}`} className="py-2 text-sm">
                      <div className="flex flex-wrap items-center gap-3">
                        <span className="w-40 font-medium">{target.clusterName}</span>
                        <span data-testid={`target-${target.clusterName}-state`}>
                          <StateBadge state={target.state} />
                        </span>
                        {target.gate.total ? (
                          <span className="text-xs text-slate-600">
                            health {target.gate.ready}/{target.gate.total} ready
                          </span>
                        ) : null}
                        <span className="text-xs text-slate-500">{seconds(target.startedAt, target.finishedAt)}</span>
                        {target.pause ? (
                          <span data-testid={`target-${target.clusterName}-pause`} className="text-xs text-amber-700">
                            paused: {target.pause}
                          </span>
                        ) : null}
                      </div>
                      {target.error ? <p className="mt-1 text-xs text-red-700">{target.error}</p> : null}
                      {target.objects.length ? (
                        <ul className="mt-1 flex flex-wrap gap-x-4 text-xs text-slate-600">
                          {target.objects.map((o, i) => (
                            <li key={i}>
                              {o.kind} {o.name}: <span className={o.error ? "text-red-700" : ""}>{o.action}</span>
                              {o.conflictManagers?.length ? ` (owned by ${o.conflictManagers.join(", ")})` : ""}
                            </li>
                          ))}
                        </ul>
                      ) : null}
                    </li>
                  ))}
              </ul>
            </Section>
          ))}
          <details className="rounded-lg bg-white p-3 text-xs shadow-sm ring-1 ring-slate-200">
            <summary className="cursor-pointer font-semibold">Step log</summary>
            <ol className="mt-2 space-y-1 font-mono">
              {rollout.events.map((event, index) => (
                <li key={index}>
                  {new Date(event.at).toLocaleTimeString()} {event.step}
                  {event.targetId
                    ? ` · ${rollout.targets.find((t) => t.id === event.targetId)?.clusterName ?? ""}`
                    : ""}
                </li>
              ))}
            </ol>
          </details>
        </div>
      ) : null}
    </QueryState>
  );
}
