import type { Metadata } from "next";
import { FleetOverview } from "@/components/overview/fleet-overview";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader
        title="Overview"
        description="The fleet you may see at a glance: every number leads to the list behind it."
      />
      <FleetOverview />
    </>
  );
}
