import type { Metadata } from "next";
import { NotAvailableYet } from "@/components/shell/not-available-yet";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Inventory" };

export default async function InventoryPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader title="Inventory" />
      <NotAvailableYet feature="Inventory" description="Workloads, configmaps and secrets across every cluster you may see, in one filterable view." />
    </>
  );
}
