import type { Metadata } from "next";
import { NotAvailableYet } from "@/components/shell/not-available-yet";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Audit" };

export default async function AuditPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader title="Audit" />
      <NotAvailableYet feature="Audit" description="An append-only, hash-chained record of every change, sign-in and secret reveal." />
    </>
  );
}
