import { Spinner } from "@/components/ui/button";

export default function Loading() {
  return (
    <div role="status" className="flex items-center gap-2 py-12 text-sm text-slate-600">
      <Spinner /> Loading…
    </div>
  );
}
