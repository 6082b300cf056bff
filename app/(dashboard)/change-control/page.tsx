import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApprovalPolicies } from "@/components/change-control/approval-policies";
import { ChangeWindows } from "@/components/change-control/change-windows";
import { Freezes } from "@/components/change-control/freezes";
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
        description="Approval policies decide which rollouts wait for approval; guardrails (CEL) check every rendered object; windows and freezes decide when waves may run."
      />
      <div className="space-y-8">
        <ApprovalPolicies />
        <GuardrailRules />
        <ChangeWindows />
        <Freezes />
      </div>
    </>
  );
}
