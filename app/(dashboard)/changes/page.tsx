import type { Metadata } from "next";
import { Suspense } from "react";
import { ChangeTimeline } from "@/components/changes/change-timeline";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Changes" };

export default async function ChangesPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader
        title="Changes"
        description="What was created, changed, deleted or changed health in the clusters and namespaces you may see, with a diff of each object's summary."
      />
      <Suspense>
        <ChangeTimeline />
      </Suspense>
    </>
  );
}
