"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { OwnerTeamBadge } from "@/components/teams/owner-team-badge";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { checkDrift, rollbackRelease, setAutoHeal } from "@/lib/api/rollouts";
import { releaseQuery, rolloutKeys } from "@/lib/queries/rollouts";
import { StateBadge } from "./rollout-progress";
import { TemplateRef } from "./template-ref";

const DRIFT_STYLE: Record<string, string> = {
  in_sync: "text-emerald-700",
  drifted: "text-amber-700 font-semibold",
  unknown: "text-slate-500",
  unreachable: "text-red-700",
};

/** A release kept true: its revision per cluster, drift, healing, and one-click rollback from history. */
export function ReleaseDetail({ id }: { id: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const query = useQuery(releaseQuery(id));
  const update = (release: Awaited<ReturnType<typeof checkDrift>>) =>
    queryClient.setQueryData(rolloutKeys.release(id), release);
  const drift = useMutation({ mutationFn: (heal: boolean) => checkDrift(id, heal), onSuccess: update });
  const autoHeal = useMutation({ mutationFn: (value: boolean) => setAutoHeal(id, value), onSuccess: update });
  const rollback = useMutation({
    mutationFn: (revision: number) => rollbackRelease(id, revision, crypto.randomUUID()),
    onSuccess: (result) => router.push(`/rollouts/${result.rolloutId}`),
  });
  const release = query.data;
  return (
    <QueryState isPending={query.isPending} error={query.error} label="Release">
      {release ? (
        <div className="space-y-6">
          <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
            <OwnerTeamBadge team={release.team} />
            <span>
              Template <TemplateRef template={release.template} />
            </span>
          </p>
          {drift.error || autoHeal.error || rollback.error ? (
            <Alert>{(drift.error ?? autoHeal.error ?? rollback.error)?.message}</Alert>
          ) : null}
          <Section
            title="Clusters"
            actions={
              <div className="flex gap-2">
                <Button
                  variant="secondary"
                  pending={drift.isPending && drift.variables === false}
                  onClick={() => drift.mutate(false)}
                >
                  Check drift now
                </Button>
                <Button pending={drift.isPending && drift.variables === true} onClick={() => drift.mutate(true)}>
                  Heal drift
                </Button>
              </div>
            }
          >
            <label className="mb-3 flex items-center gap-2 text-sm">
              <input type="checkbox" checked={release.autoHeal} onChange={(e) => autoHeal.mutate(e.target.checked)} />
              Heal drift automatically (checked every minute)
            </label>
            <table className="min-w-full text-sm">
              <thead className="text-left text-xs uppercase text-slate-500">
                <tr>
                  <th className="py-1">Cluster</th>
                  <th>Revision</th>
                  <th>Applied</th>
                  <th>Drift</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {release.clusters.map((c) => (
                  <tr key={c.clusterId} data-testid={`release-cluster-${c.clusterName}`} className="align-top">
                    <td className="py-2 font-medium">{c.clusterName}</td>
                    <td>#{c.revision}</td>
                    <td className="text-xs">{new Date(c.appliedAt).toLocaleString()}</td>
                    <td>
                      <span className={DRIFT_STYLE[c.driftState]}>{c.driftState.replace("_", " ")}</span>
                      {c.heldBy ? (
                        <p data-testid="release-cluster-held" className="text-xs font-semibold text-indigo-700">
                          {c.heldBy.kind === "heal" ? (
                            "A heal is writing here now"
                          ) : c.heldBy.rolloutId ? (
                            <Link href={`/rollouts/${c.heldBy.rolloutId}`} className="hover:underline">
                              Rollout in flight: {c.heldBy.rolloutId.slice(0, 8)}
                            </Link>
                          ) : (
                            "Rollout in flight"
                          )}
                          {" (drift is not checked or healed here until it ends)"}
                        </p>
                      ) : null}
                      {c.drift.map((d, i) => (
                        <p key={i} className="text-xs text-slate-600">
                          {d.error ??
                            `${d.kind} ${d.name}: ${d.takenOverBy ? `taken over by ${d.takenOverBy}` : `${d.problem}${d.managers?.length ? ` by ${d.managers.join(", ")}` : ""}`}${
                              d.keys?.length ? ` (${d.keys.map((k) => `${k.key} ${k.change}`).join(", ")})` : ""
                            }`}
                        </p>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          {release.secretParams.length ? (
            <Section title="Secret parameters">
              <ul data-testid="release-secret-params" className="space-y-1 text-sm">
                {release.secretParams.map((secret) => (
                  <li key={secret.path}>
                    <span className="font-mono">{secret.path}</span>:{" "}
                    {secret.set
                      ? `set by ${secret.setBy} at ${new Date(secret.setAt!).toLocaleString()} · fingerprint ${secret.fingerprint}`
                      : "not set"}
                  </li>
                ))}
              </ul>
              <p className="mt-2 text-xs text-slate-500">
                Values are sealed and never shown; the fingerprint tells values apart on this page only. A new value is
                a rollout with the value entered.
              </p>
            </Section>
          ) : null}
          <Section title="History">
            {release.template ? null : (
              <p className="mb-2 text-xs text-slate-500">
                Rolling back needs the template&apos;s revisions, and it belongs to another team.
              </p>
            )}
            <ul className="divide-y divide-slate-100 text-sm">
              {release.rollouts.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <span>
                    <Link href={`/rollouts/${r.id}`} className="text-indigo-700 underline">
                      {new Date(r.createdAt).toLocaleString()}
                    </Link>{" "}
                    · revision #{r.revision} · {r.createdByEmail} · <StateBadge state={r.state} />
                  </span>
                  {r.state === "succeeded" && release.template ? (
                    <Button
                      variant="secondary"
                      pending={rollback.isPending && rollback.variables === r.revision}
                      onClick={() =>
                        window.confirm(`Roll ${release.name} back to revision ${r.revision} on all its clusters?`) &&
                        rollback.mutate(r.revision)
                      }
                    >
                      Roll back to #{r.revision}
                    </Button>
                  ) : null}
                </li>
              ))}
            </ul>
          </Section>
        </div>
      ) : null}
    </QueryState>
  );
}
