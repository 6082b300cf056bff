import type { Metadata } from "next";
import { Suspense } from "react";
import { InventoryView } from "@/components/inventory/inventory-view";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Inventory" };

export default async function InventoryPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader
        title="Inventory"
        description="Workloads, configmaps and secrets of every cluster you may see, in one view. Secret values stay hidden unless revealed."
      />
      <Suspense>
        <InventoryView />
      </Suspense>
    </>
  );
}
