import type { Metadata } from "next";
import { RolloutForm } from "@/components/rollouts/rollout-form";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "New rollout" };

export default async function NewRolloutPage({
  searchParams,
}: {
  searchParams: Promise<{ template?: string; revision?: string }>;
}) {
  const { user } = await requirePageCaller();
  const { template, revision } = await searchParams;
  return (
    <>
      <PageHeader
        title="New rollout"
        description="Nothing changes on any cluster until you start; preview shows each cluster's server-side dry-run."
      />
      <RolloutForm
        isAdmin={user.isAdmin}
        initialTemplateId={template}
        initialRevision={revision ? Number(revision) || undefined : undefined}
      />
    </>
  );
}
