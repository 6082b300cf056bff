import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ImportKubeconfigForm } from "@/components/clusters/import-kubeconfig-form";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Import kubeconfig" };

export default async function ImportKubeconfigPage() {
  const { user } = await requirePageCaller();
  if (!user.isAdmin) notFound();
  return (
    <>
      <PageHeader
        title="Import kubeconfig"
        description="Pick the contexts to register. Credentials are encrypted before they are stored; the kubeconfig itself is not kept."
      />
      <ImportKubeconfigForm />
    </>
  );
}
