import type { Metadata } from "next";
import { TemplateEditor } from "@/components/templates/template-editor";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "New template" };

export default async function NewTemplatePage() {
  const { user } = await requirePageCaller();
  return (
    <>
      <PageHeader
        title="New template"
        description="Check renders the template against a sample cluster and lints every object before anything is saved."
      />
      <TemplateEditor isAdmin={user.isAdmin} />
    </>
  );
}
