import type { ClusterStatus } from "@/lib/api/cluster-types";

const STYLES: Record<ClusterStatus, { label: string; className: string; dot: string }> = {
  reachable: {
    label: "Reachable",
    className: "bg-emerald-50 text-emerald-800 ring-emerald-200",
    dot: "bg-emerald-500",
  },
  unreachable: { label: "Unreachable", className: "bg-red-50 text-red-800 ring-red-200", dot: "bg-red-500" },
  never_checked: {
    label: "Never checked",
    className: "bg-slate-50 text-slate-700 ring-slate-200",
    dot: "bg-slate-400",
  },
};

export function ClusterStatusBadge({ status }: { status: ClusterStatus }) {
  const style = STYLES[status];
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${style.className}`}
    >
      <span className={`size-1.5 rounded-full ${style.dot}`} aria-hidden="true" />
      {style.label}
    </span>
  );
}

export function InsecureBadge() {
  return (
    <span
      title="TLS verification is off for this cluster: its identity is not checked"
      className="inline-flex items-center rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900 ring-1 ring-inset ring-amber-300"
    >
      ⚠ TLS not verified
    </span>
  );
}

export function LabelChips({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <span className="text-xs text-slate-500">—</span>;
  return (
    <div className="flex flex-wrap gap-1">
      {entries.map(([key, value]) => (
        <span key={key} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] text-slate-700">
          {key}={value}
        </span>
      ))}
    </div>
  );
}
