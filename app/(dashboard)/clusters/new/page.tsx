import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RegisterClusterForm } from "@/components/clusters/register-cluster-form";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Register cluster" };

export default async function NewClusterPage() {
  const { user } = await requirePageCaller();
  if (!user.isAdmin) notFound();
  return (
    <>
      <PageHeader
        title="Register cluster"
        description="The credential is encrypted before it is stored and never shown again."
      />
      <RegisterClusterForm />
    </>
  );
}
