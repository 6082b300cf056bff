import type { Metadata } from "next";
import { NotAvailableYet } from "@/components/shell/not-available-yet";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Templates" };

export default async function TemplatesPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader title="Templates" />
      <NotAvailableYet feature="Templates" description="Typed, parameterised templates of Kubernetes objects, rendered per cluster." />
    </>
  );
}
