import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { AuditLog } from "@/components/audit/audit-log";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Audit" };

export default async function AuditPage() {
  const { user } = await requirePageCaller();
  if (!user.isAdmin) notFound();
  return (
    <>
      <PageHeader
        title="Audit"
        description="Every change, sign-in and secret reveal. Append-only and hash-chained (npm run audit:verify)."
      />
      <Suspense>
        <AuditLog />
      </Suspense>
    </>
  );
}
