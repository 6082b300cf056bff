import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ReleaseDetail } from "@/components/rollouts/release-detail";
import { PageHeader } from "@/components/ui/page-header";
import { isAppError } from "@/lib/server/errors/app-error";
import { getPageProfile } from "@/lib/server/http/page-caller";
import { getRelease } from "@/lib/server/releases/queries";

export const metadata: Metadata = { title: "Release" };

export default async function ReleasePage({ params }: { params: Promise<{ id: string }> }) {
  const profile = await getPageProfile();
  const { id } = await params;
  const release = await getRelease(profile, id).catch((error: unknown) => {
    if (isAppError(error) && error.status === 404) notFound();
    throw error;
  });
  return (
    <>
      <Link href="/rollouts" className="text-sm text-indigo-700 hover:underline">
        ← Rollouts
      </Link>
      <PageHeader
        title={`Release ${release.name}`}
        description={release.template ? `Template ${release.template.name}` : undefined}
      />
      <ReleaseDetail id={release.id} />
    </>
  );
}
