import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApprovalPolicies } from "@/components/change-control/approval-policies";
import { GuardrailRules } from "@/components/change-control/guardrail-rules";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Change control" };

export default async function ChangeControlPage() {
  const { user } = await requirePageCaller();
  if (!user.isAdmin) notFound();
  return (
    <>
      <PageHeader
        title="Change control"
        description="Approval policies decide which rollouts wait for approval; guardrails (CEL) check every rendered object."
      />
      <div className="space-y-8">
        <ApprovalPolicies />
        <GuardrailRules />
      </div>
    </>
  );
}
