import type { Health } from "@/lib/k8s/kinds";

const STYLES: Record<Health, string> = {
  healthy: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  progressing: "bg-sky-50 text-sky-800 ring-sky-200",
  degraded: "bg-amber-50 text-amber-900 ring-amber-300",
  failed: "bg-red-50 text-red-800 ring-red-200",
  suspended: "bg-slate-100 text-slate-700 ring-slate-300",
};

export function HealthBadge({ health }: { health?: Health }) {
  if (!health) return <span className="text-slate-500">—</span>;
  return (
    <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[health]}`}>
      {health}
    </span>
  );
}
