import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TemplateDetail } from "@/components/templates/template-detail";
import { PageHeader } from "@/components/ui/page-header";
import { isAppError } from "@/lib/server/errors/app-error";
import { getPageProfile, requirePageCaller } from "@/lib/server/http/page-caller";
import { getTemplate } from "@/lib/server/templates/templates";

export const metadata: Metadata = { title: "Template" };

export default async function TemplatePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageCaller();
  const { id } = await params;
  const profile = await getPageProfile();
  const template = await getTemplate(profile, id).catch((error: unknown) => {
    if (isAppError(error) && error.status === 404) notFound();
    throw error;
  });
  return (
    <>
      <Link href="/templates" className="text-sm text-indigo-700 hover:underline">
        ← Templates
      </Link>
      <PageHeader title={template.name} description={template.description || undefined} />
      <TemplateDetail template={template} />
    </>
  );
}
