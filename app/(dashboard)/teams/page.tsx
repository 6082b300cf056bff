import type { Metadata } from "next";
import { NotAvailableYet } from "@/components/shell/not-available-yet";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Teams" };

export default async function TeamsPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader title="Teams" />
      <NotAvailableYet feature="Teams" description="Teams, members and the clusters and namespaces each team is granted." />
    </>
  );
}
