"use client";

import type { ClusterPreview } from "@/lib/api/rollouts";
import type { SecretParamPlan } from "@/lib/api/rollout-types";

const ACTION_STYLE: Record<string, string> = {
  create: "text-emerald-700",
  change: "text-amber-700",
  unchanged: "text-slate-500",
  prune: "text-red-700",
  conflict: "text-red-700 font-semibold",
  invalid: "text-red-700 font-semibold",
  forbidden: "text-red-700 font-semibold",
  error: "text-red-700 font-semibold",
};

/** Per cluster: what would be created, changed, left alone or pruned, as the API server's dry-run says. */
export function PreviewResults({
  clusters,
  secretParams = [],
}: {
  clusters: ClusterPreview[];
  secretParams?: SecretParamPlan[];
}) {
  return (
    <div className="space-y-3">
      {secretParams.length ? (
        <ul
          data-testid="preview-secret-params"
          className="rounded-lg bg-white p-3 text-xs shadow-sm ring-1 ring-slate-200"
        >
          {secretParams.map((secret) => (
            <li key={secret.path}>
              <span className="font-mono">{secret.path}</span>:{" "}
              {secret.state === "entered"
                ? "new value entered (sealed when the rollout starts)"
                : secret.state === "kept"
                  ? `keeps the current value, set by ${secret.setBy} at ${secret.setAt}`
                  : "not set"}
            </li>
          ))}
        </ul>
      ) : null}
      {clusters.map((cluster) => (
        <details
          key={cluster.clusterId}
          data-testid={`preview-${cluster.clusterName}`}
          className="rounded-lg bg-white p-3 shadow-sm ring-1 ring-slate-200"
          open={Boolean(cluster.error || cluster.counts.problems || cluster.guardrails?.length)}
        >
          <summary className="flex cursor-pointer flex-wrap items-center gap-3 text-sm">
            <span className="font-semibold">{cluster.clusterName}</span>
            {cluster.error ? (
              <span className="text-red-700">did not answer: {cluster.error}</span>
            ) : (
              <span className="text-slate-600">
                {cluster.counts.create} to create · {cluster.counts.change} to change · {cluster.counts.unchanged}{" "}
                unchanged · {cluster.counts.prune} to prune
                {cluster.counts.problems ? (
                  <span className="font-semibold text-red-700"> · {cluster.counts.problems} problems</span>
                ) : null}
              </span>
            )}
          </summary>
          {cluster.guardrails?.length ? (
            <ul data-testid={`guardrails-${cluster.clusterName}`} className="mt-3 space-y-1 text-xs">
              {cluster.guardrails.map((finding, index) => (
                <li key={index} className={finding.action === "deny" ? "font-semibold text-red-700" : "text-amber-800"}>
                  Guardrail {finding.rule} {finding.action === "deny" ? "denies" : "warns about"}{" "}
                  <span className="font-mono">{finding.object}</span>: {finding.message}
                </li>
              ))}
            </ul>
          ) : null}
          <ul className="mt-3 space-y-2">
            {cluster.objects.map((object, index) => (
              <li key={index} className="text-xs">
                <span className={ACTION_STYLE[object.action]}>{object.action}</span>{" "}
                <span className="font-mono">
                  {object.ref.kind} {object.ref.namespace ? `${object.ref.namespace}/` : ""}
                  {object.ref.name}
                </span>
                {object.error ? <span className="block text-red-700">{object.error}</span> : null}
                {object.takesOverFrom ? (
                  <span className="block text-amber-700">takes ownership from {object.takesOverFrom}</span>
                ) : null}
                {object.dependsOnSecret ? (
                  <span data-testid="depends-on-secret" className="block text-slate-600">
                    depends on a secret parameter: {object.action === "unchanged" ? "unchanged" : "changed"} (content
                    not shown)
                  </span>
                ) : null}
                {object.secretKeys?.length ? (
                  <ul data-testid="secret-keys" className="mt-1 ml-3">
                    {object.secretKeys.map((key) => (
                      <li key={key.key} className="font-mono">
                        {key.key}: {key.change}
                        {key.fingerprint ? ` (hidden, fingerprint ${key.fingerprint})` : ""}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {object.diff ? (
                  <pre className="mt-1 max-h-60 overflow-auto rounded bg-slate-50 p-2">
                    {object.diff
                      .split("\n")
                      .slice(2)
                      .map((line, i) => (
                        <span
                          key={i}
                          className={
                            line.startsWith("+")
                              ? "block text-emerald-800"
                              : line.startsWith("-")
                                ? "block text-red-800"
                                : "block text-slate-600"
                          }
                        >
                          {line || " "}
                        </span>
                      ))}
                  </pre>
                ) : null}
              </li>
            ))}
          </ul>
          <details className="mt-2 text-xs">
            <summary className="cursor-pointer text-slate-600">Rendered manifests</summary>
            <pre className="theme-island mt-1 max-h-72 overflow-auto rounded bg-slate-950 p-2 text-slate-100">
              {cluster.manifests}
            </pre>
          </details>
        </details>
      ))}
    </div>
  );
}
