import type { Metadata } from "next";
import Link from "next/link";
import { RolloutProgress } from "@/components/rollouts/rollout-progress";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Rollout" };

export default async function RolloutPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageCaller();
  const { id } = await params;
  return (
    <>
      <Link href="/rollouts" className="text-sm text-indigo-700 hover:underline">
        ← Rollouts
      </Link>
      <PageHeader title="Rollout" />
      <RolloutProgress id={id} />
    </>
  );
}
