import { EmptyState } from "@/components/ui/empty-state";

/** Honest placeholder for a section whose capability has not landed yet. */
export function NotAvailableYet({ feature, description }: { feature: string; description: string }) {
  return (
    <EmptyState
      title={`${feature} is not available yet`}
      description={
        <>
          <p>{description}</p>
          <p className="mt-2 text-slate-500">This section arrives in a later release; nothing here is simulated.</p>
        </>
      }
    />
  );
}
