import type { Metadata } from "next";
import { NotAvailableYet } from "@/components/shell/not-available-yet";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Rollouts" };

export default async function RolloutsPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader title="Rollouts" />
      <NotAvailableYet feature="Rollouts" description="Wave-by-wave rollouts with health gates, pause, abort and rollback." />
    </>
  );
}
