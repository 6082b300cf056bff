import { Alert } from "@/components/ui/alert";
import type { ConnectionTestView } from "@/lib/api/cluster-types";

export function ConnectionTestResult({ result }: { result: ConnectionTestView }) {
  if (!result.ok) {
    return (
      <Alert title="Connection failed">
        <span data-testid="connection-error-code" className="font-mono text-xs">
          {result.error?.code}
        </span>{" "}
        {result.error?.message}
      </Alert>
    );
  }
  return (
    <Alert tone="success" title="Connected">
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-3">
        <Fact label="Kubernetes" value={result.kubernetesVersion} />
        <Fact label="Round trip" value={result.latencyMs !== null ? `${result.latencyMs} ms` : "—"} />
        <Fact label="Authenticated as" value={result.identity ?? "unknown"} />
        <Fact label="Nodes" value={result.nodeCount ?? "not permitted"} />
        <Fact label="Namespaces" value={result.namespaceCount ?? "not permitted"} />
      </dl>
      {result.warnings?.length ? <p className="mt-2 text-xs">{result.warnings.join(". ")}.</p> : null}
    </Alert>
  );
}

function Fact({ label, value }: { label: string; value: string | number | undefined }) {
  return (
    <div>
      <dt className="text-xs opacity-70">{label}</dt>
      <dd className="font-medium">{value ?? "—"}</dd>
    </div>
  );
}
