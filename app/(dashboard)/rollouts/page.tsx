import type { Metadata } from "next";
import Link from "next/link";
import { RolloutList } from "@/components/rollouts/rollout-list";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Rollouts" };

export default async function RolloutsPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader
        title="Rollouts"
        description="Templates pushed to clusters in waves with health gates, and the releases they keep true."
        actions={
          <Link
            href="/rollouts/new"
            className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
          >
            New rollout
          </Link>
        }
      />
      <RolloutList />
    </>
  );
}
