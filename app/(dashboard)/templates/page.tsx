import type { Metadata } from "next";
import Link from "next/link";
import { TemplateList } from "@/components/templates/template-list";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Templates" };

export default async function TemplatesPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader
        title="Templates"
        description="Typed, parameterised bundles of Kubernetes objects, rendered per cluster. Every save is a new revision."
        actions={
          <Link
            href="/templates/new"
            className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
          >
            New template
          </Link>
        }
      />
      <TemplateList />
    </>
  );
}
