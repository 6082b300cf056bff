import type { Metadata } from "next";
import { NotAvailableYet } from "@/components/shell/not-available-yet";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Clusters" };

export default async function ClustersPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader title="Clusters" />
      <NotAvailableYet feature="Clusters" description="Register clusters, keep their credentials encrypted, and watch their health." />
    </>
  );
}
