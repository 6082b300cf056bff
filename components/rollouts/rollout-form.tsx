"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useDeferredValue, useMemo, useState, type FormEvent } from "react";
import { TeamSelect, teamIdField, useTeamChoice } from "@/components/teams/team-select";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Section } from "@/components/ui/section";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { fetchDeployableTargets, previewRollout, startRollout } from "@/lib/api/rollouts";
import { selectorProblem } from "@/lib/k8s/label-selector";
import { revisionQuery, templatesQuery } from "@/lib/queries/rollouts";
import type { RolloutRequest } from "@/lib/schemas/templates";
import { defaultsOf, ParamForm, paramsValid } from "./param-form";
import { PreviewResults } from "./preview-results";

interface Props {
  initialTemplateId?: string;
  initialRevision?: number;
  /** Admins may also start a global release (no owning team). */
  isAdmin?: boolean;
}

/**
 * The bulk rollout form: template and revision, parameters (form generated from the
 * schema), targets (selector and/or picks; only deployable clusters are listed), strategy,
 * health gate, failure policy and rollback. Preview runs a server-side dry-run on every
 * target; Start is protected against double submission by an idempotency key.
 */
export function RolloutForm({ initialTemplateId, initialRevision, isAdmin = false }: Props) {
  const router = useRouter();
  const team = useTeamChoice(isAdmin);
  const templates = useQuery(templatesQuery());
  const [templateId, setTemplateId] = useState(initialTemplateId ?? "");
  const template = templates.data?.find((t) => t.id === templateId);
  const [revisionNumber, setRevisionNumber] = useState<number | null>(initialRevision ?? null);
  const revisionToUse = revisionNumber ?? template?.latestRevision ?? null;
  const revision = useQuery({
    ...revisionQuery(templateId, revisionToUse ?? 0),
    enabled: Boolean(templateId && revisionToUse),
  });

  const [params, setParams] = useState<Record<string, unknown> | null>(null);
  const effectiveParams = useMemo(
    () => params ?? (revision.data ? defaultsOf(revision.data.schema) : {}),
    [params, revision.data],
  );
  const [releaseName, setReleaseName] = useState("");
  const [selector, setSelector] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const [strategyKind, setStrategyKind] = useState<"all" | "waves">("all");
  const [batchSize, setBatchSize] = useState(1);
  const [canaries, setCanaries] = useState<string[]>([]);
  const [bakeSeconds, setBakeSeconds] = useState(0);
  const [timeoutSeconds, setTimeoutSeconds] = useState(120);
  const [tolerate, setTolerate] = useState(0);
  const [autoRollback, setAutoRollback] = useState(true);
  const [takeOwnership, setTakeOwnership] = useState(false);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  // Empty: start now. A datetime-local value is in the browser's zone; the request carries the instant.
  const [startAt, setStartAt] = useState("");
  const [freezeOverride, setFreezeOverride] = useState("");

  const deferredSelector = useDeferredValue(selector);
  const selectorError = selector ? selectorProblem(selector) : null;
  const allTargets = useQuery({ queryKey: ["rollout-targets", ""], queryFn: () => fetchDeployableTargets("") });
  const matched = useQuery({
    queryKey: ["rollout-targets", deferredSelector],
    queryFn: () => fetchDeployableTargets(deferredSelector),
    enabled: Boolean(deferredSelector) && !selectorProblem(deferredSelector),
  });
  const targetIds = [
    ...new Set([...(deferredSelector && matched.data ? matched.data.map((c) => c.id) : []), ...picked]),
  ];
  const targetClusters = (allTargets.data ?? []).filter((c) => targetIds.includes(c.id));
  const targetNames = targetClusters.map((c) => c.name);

  const request = (): RolloutRequest => ({
    ...teamIdField(team),
    releaseName: releaseName.trim(),
    templateId,
    revision: revisionToUse ?? 0,
    params: effectiveParams,
    targets: { selector: selector || null, clusterIds: picked },
    strategy:
      strategyKind === "all"
        ? { kind: "all" }
        : { kind: "waves", batchSize, canaryClusterIds: canaries.filter((id) => targetIds.includes(id)), bakeSeconds },
    healthGate: { timeoutSeconds },
    tolerateFailures: tolerate,
    autoRollback,
    takeOwnership,
    idempotencyKey,
    ...(startAt ? { startAt: Number.isNaN(Date.parse(startAt)) ? startAt : new Date(startAt).toISOString() } : {}),
    ...(freezeOverride.trim() ? { freezeOverride: { reason: freezeOverride } } : {}),
  });

  const preview = useMutation({ mutationFn: () => previewRollout(request()) });
  const start = useMutation({
    mutationFn: () => startRollout(request()),
    onSuccess: (result) => router.push(`/rollouts/${result.rolloutId}`),
  });
  const failure = start.error ?? preview.error;
  const error = failure instanceof ApiError ? failure : null;
  const fields = error?.fields ?? {};
  const formValid = Boolean(
    templateId &&
    !team.missing &&
    revision.data &&
    releaseName.trim() &&
    targetIds.length &&
    !selectorError &&
    paramsValid(revision.data.schema, effectiveParams),
  );
  const previewProblems = preview.data?.clusters.some((c) => c.error || c.counts.problems);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!start.isPending && !start.isSuccess) start.mutate();
  };

  return (
    <form onSubmit={submit} className="space-y-6" noValidate>
      {error && error.code !== "validation_failed" ? <Alert>{error.message}</Alert> : null}
      {error?.code === "validation_failed" ? (
        <Alert title="Nothing was started">
          <ul className="list-disc pl-5">
            {Object.entries(fields).map(([field, messages]) => (
              <li key={field}>
                <span className="font-mono text-xs">{field}</span>: {messages.join(" ")}
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}

      <Section title="1. Template">
        <div className="grid gap-4 sm:grid-cols-3">
          <div>
            <label htmlFor="rollout-template" className="block text-sm font-medium">
              Template
            </label>
            <select
              id="rollout-template"
              value={templateId}
              onChange={(e) => {
                setTemplateId(e.target.value);
                setRevisionNumber(null);
                setParams(null);
              }}
              className="mt-1 block w-full rounded-md border-0 py-2 text-sm ring-1 ring-inset ring-slate-300"
            >
              <option value="">Choose a template</option>
              {templates.data?.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.team ? t.team.name : "global"})
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="rollout-revision" className="block text-sm font-medium">
              Revision
            </label>
            <select
              id="rollout-revision"
              value={revisionToUse ?? ""}
              onChange={(e) => {
                setRevisionNumber(Number(e.target.value));
                setParams(null);
              }}
              disabled={!template}
              className="mt-1 block w-full rounded-md border-0 py-2 text-sm ring-1 ring-inset ring-slate-300"
            >
              {template
                ? Array.from({ length: template.latestRevision }, (_, i) => template.latestRevision - i).map((n) => (
                    <option key={n} value={n}>
                      #{n}
                    </option>
                  ))
                : null}
            </select>
          </div>
          <TextField
            label="Release name"
            value={releaseName}
            onChange={(e) => setReleaseName(e.target.value)}
            errors={fields.releaseName}
            placeholder="checkout-web"
            hint="Release names are per team. New name: a new release; existing: a new revision of it."
          />
          {team.choosable || team.loadError || team.noTeam ? (
            <TeamSelect
              choice={team}
              errors={fields.teamId}
              hint="The team that owns the release."
              onChange={() => preview.reset()}
            />
          ) : null}
        </div>
      </Section>

      {revision.data ? (
        <Section title="2. Parameters">
          <ParamForm
            schema={revision.data.schema}
            value={effectiveParams}
            onChange={setParams}
            errors={fields}
            clusters={allTargets.data ?? []}
          />
        </Section>
      ) : null}

      <Section title="3. Targets">
        <TextField
          label="Cluster label selector"
          value={selector}
          onChange={(e) => setSelector(e.target.value)}
          placeholder="env=prod"
          errors={selectorError ? [selectorError] : fields["targets.selector"]}
        />
        <fieldset className="mt-3">
          <legend className="text-sm font-medium">
            and/or pick clusters (only clusters you may deploy to are listed)
          </legend>
          <div className="mt-1 flex flex-wrap gap-3 text-sm">
            {allTargets.data?.map((cluster) => (
              <label key={cluster.id} className="flex items-center gap-1">
                <input
                  type="checkbox"
                  checked={picked.includes(cluster.id)}
                  onChange={(e) =>
                    setPicked((cur) =>
                      e.target.checked ? [...cur, cluster.id] : cur.filter((id) => id !== cluster.id),
                    )
                  }
                />
                {cluster.name}
              </label>
            ))}
          </div>
        </fieldset>
        <p className="mt-3 text-sm" aria-live="polite" data-testid="matched-targets">
          {targetIds.length
            ? `${targetIds.length} target cluster(s): ${targetNames.join(", ")}`
            : "No target cluster yet."}
        </p>
        {fields.targets ? <p className="text-sm text-red-600">{fields.targets.join(" ")}</p> : null}
      </Section>

      <Section title="4. Strategy, health gate and failure policy">
        <div className="space-y-4 text-sm">
          <div className="flex gap-4">
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="strategy"
                checked={strategyKind === "all"}
                onChange={() => setStrategyKind("all")}
              />{" "}
              All at once
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="strategy"
                checked={strategyKind === "waves"}
                onChange={() => setStrategyKind("waves")}
              />{" "}
              In waves
            </label>
          </div>
          {strategyKind === "waves" ? (
            <div className="grid gap-4 sm:grid-cols-3">
              <TextField
                label="Clusters per wave"
                type="number"
                min={1}
                value={batchSize}
                onChange={(e) => setBatchSize(Math.max(1, Number(e.target.value)))}
                errors={fields["strategy.batchSize"]}
              />
              <TextField
                label="Bake time between waves (seconds)"
                type="number"
                min={0}
                value={bakeSeconds}
                onChange={(e) => setBakeSeconds(Math.max(0, Number(e.target.value)))}
              />
              <fieldset>
                <legend className="font-medium">Canary clusters (first wave)</legend>
                {targetClusters.map((cluster) => (
                  <label key={cluster.id} className="mr-3 inline-flex items-center gap-1">
                    <input
                      type="checkbox"
                      aria-label={`Canary ${cluster.name}`}
                      checked={canaries.includes(cluster.id)}
                      onChange={(e) =>
                        setCanaries((cur) =>
                          e.target.checked ? [...cur, cluster.id] : cur.filter((id) => id !== cluster.id),
                        )
                      }
                    />
                    {cluster.name}
                  </label>
                ))}
              </fieldset>
            </div>
          ) : null}
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField
              label="Health gate timeout (seconds)"
              type="number"
              min={5}
              value={timeoutSeconds}
              onChange={(e) => setTimeoutSeconds(Number(e.target.value))}
              errors={fields["healthGate.timeoutSeconds"]}
              hint="Deployments, StatefulSets and DaemonSets available; Jobs complete."
            />
            <TextField
              label="Failed clusters tolerated"
              type="number"
              min={0}
              value={tolerate}
              onChange={(e) => setTolerate(Math.max(0, Number(e.target.value)))}
              hint="0 stops at the first failure."
            />
            <div className="space-y-2 pt-6">
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={autoRollback} onChange={(e) => setAutoRollback(e.target.checked)} />{" "}
                Roll back the failed wave automatically
              </label>
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={takeOwnership} onChange={(e) => setTakeOwnership(e.target.checked)} />{" "}
                Take ownership of objects another release or someone outside Archipelago owns (from a release: only if
                you may steer it; audited)
              </label>
            </div>
            <TextField
              label="Start at (optional)"
              type="datetime-local"
              value={startAt}
              onChange={(e) => setStartAt(e.target.value)}
              errors={fields.startAt}
              hint="Empty: start now. A scheduled rollout waits; under a policy its preview is checked again then."
            />
            <TextField
              label="Override change freezes (admins): reason"
              value={freezeOverride}
              onChange={(e) => setFreezeOverride(e.target.value)}
              errors={fields.freezeOverride ?? fields["freezeOverride.reason"]}
              hint="Empty: a freeze blocks the start. Audited and shown on the rollout."
            />
          </div>
        </div>
      </Section>

      <Section title="5. Preview and start">
        <div className="flex flex-wrap gap-2">
          <Button
            type="button"
            variant="secondary"
            disabled={!formValid}
            pending={preview.isPending}
            onClick={() => preview.mutate()}
          >
            Preview (server-side dry-run)
          </Button>
          <Button type="submit" disabled={!formValid || !preview.data || start.isSuccess} pending={start.isPending}>
            Start rollout
          </Button>
        </div>
        {!preview.data ? (
          <p className="mt-2 text-xs text-slate-500">Preview first: nothing changes until you start.</p>
        ) : null}
        {previewProblems ? (
          <div className="mt-3">
            <Alert tone="warning">Some clusters report problems; they will fail if you start now.</Alert>
          </div>
        ) : null}
        {preview.data ? (
          <div className="mt-4">
            <PreviewResults clusters={preview.data.clusters} secretParams={preview.data.secretParams} />
          </div>
        ) : null}
        {preview.data?.waves.some((w) => w.wait) ? (
          <ul data-testid="wave-schedule" className="mt-4 space-y-1 text-sm">
            {preview.data.waves.map((w) => (
              <li key={w.index}>
                Wave {w.index + 1} ({w.clusters.join(", ")}):{" "}
                {w.wait
                  ? w.runsAt
                    ? `may run at ${new Date(w.runsAt).toLocaleString()}`
                    : "no opening within a year"
                  : "may run now"}
                {w.wait ? <span className="text-slate-600"> · {w.wait}</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </Section>
    </form>
  );
}
