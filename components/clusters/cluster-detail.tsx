"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import type { ClusterView } from "@/lib/api/cluster-types";
import { testCluster } from "@/lib/api/clusters";
import { clusterHealthQuery, clusterKeys, clusterQuery } from "@/lib/queries/clusters";
import { ClusterStatusBadge, InsecureBadge, LabelChips } from "./cluster-status-badge";
import { ConnectionTestResult } from "./connection-test-result";
import { DeleteClusterSection } from "./delete-cluster-section";
import { EditClusterForm } from "./edit-cluster-form";
import { HealthChart } from "./health-chart";
import { ReplaceCredentialForm } from "./replace-credential-form";

export function ClusterDetail({ initial, isAdmin }: { initial: ClusterView; isAdmin: boolean }) {
  const queryClient = useQueryClient();
  const { data: cluster = initial } = useQuery({ ...clusterQuery(initial.id), initialData: initial });
  const health = useQuery(clusterHealthQuery(initial.id));
  const test = useMutation({
    mutationFn: () => testCluster(initial.id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: clusterKeys.all }),
  });

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <ClusterStatusBadge status={cluster.status} />
        {cluster.insecureSkipTlsVerify ? <InsecureBadge /> : null}
        <Button variant="secondary" pending={test.isPending} onClick={() => test.mutate()}>
          Test connection
        </Button>
      </div>
      {cluster.insecureSkipTlsVerify ? (
        <Alert tone="warning">
          TLS verification is off for this cluster: Archipelago cannot tell it from an impostor.
        </Alert>
      ) : null}
      {cluster.status === "unreachable" ? (
        <Alert title="Unreachable">
          {cluster.statusSince ? (
            <>
              Since <RelativeTime iso={cluster.statusSince} />.{" "}
            </>
          ) : null}
          {cluster.lastError?.message}
        </Alert>
      ) : null}
      {test.data ? <ConnectionTestResult result={test.data} /> : null}
      {test.error ? <Alert>{test.error.message}</Alert> : null}

      <Section title="Details">
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-3">
          <Item label="API server" value={<span className="break-all font-mono text-xs">{cluster.server}</span>} />
          <Item label="Kubernetes" value={cluster.kubernetesVersion ?? "—"} />
          <Item label="Credential" value={cluster.authType === "token" ? "Bearer token" : "Client certificate"} />
          <Item label="Authenticates as" value={cluster.identity ?? "—"} />
          <Item label="Latency" value={cluster.latencyMs !== null ? `${cluster.latencyMs} ms` : "—"} />
          <Item label="Nodes / namespaces" value={`${cluster.nodeCount ?? "—"} / ${cluster.namespaceCount ?? "—"}`} />
          <Item
            label="Last checked"
            value={cluster.lastCheckedAt ? <RelativeTime iso={cluster.lastCheckedAt} /> : "never"}
          />
          <Item label="CA" value={cluster.caData ? "Custom CA bundle" : "System roots"} />
          <Item label="Labels" value={<LabelChips labels={cluster.labels} />} />
        </dl>
        {cluster.description ? <p className="mt-4 text-sm text-slate-700">{cluster.description}</p> : null}
      </Section>

      <Section title="Health">
        {health.data ? <HealthChart checks={health.data} /> : <p className="text-sm text-slate-500">Loading…</p>}
      </Section>

      {isAdmin ? (
        <>
          <Section title="Labels, variables and description">
            <EditClusterForm key={cluster.id} cluster={cluster} />
          </Section>
          <Section title="Replace credential">
            <ReplaceCredentialForm clusterId={cluster.id} />
          </Section>
          <Section title="Delete" danger>
            <DeleteClusterSection clusterId={cluster.id} name={cluster.name} />
          </Section>
        </>
      ) : null}
    </div>
  );
}

function Section({ title, children, danger = false }: { title: string; children: ReactNode; danger?: boolean }) {
  return (
    <section
      aria-label={title}
      className={`rounded-lg bg-white p-5 shadow-sm ring-1 ${danger ? "ring-red-200" : "ring-slate-200"}`}
    >
      <h2 className={`mb-4 text-base font-semibold ${danger ? "text-red-700" : "text-slate-900"}`}>{title}</h2>
      {children}
    </section>
  );
}

function Item({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-900">{value}</dd>
    </div>
  );
}
