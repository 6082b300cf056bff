import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ClusterDetail } from "@/components/clusters/cluster-detail";
import { PageHeader } from "@/components/ui/page-header";
import { getCluster } from "@/lib/server/clusters/queries";
import { isAppError } from "@/lib/server/errors/app-error";
import { canSeeCluster } from "@/lib/server/access/policy";
import { getPageProfile, requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Cluster" };

export default async function ClusterPage({ params }: { params: Promise<{ id: string }> }) {
  const { user } = await requirePageCaller();
  const { id } = await params;
  // A cluster the caller may not see is indistinguishable from one that does not exist.
  if (!canSeeCluster(await getPageProfile(), id)) notFound();
  const cluster = await getCluster(id).catch((error: unknown) => {
    if (isAppError(error) && error.status === 404) notFound();
    throw error;
  });
  return (
    <>
      <Link href="/clusters" className="text-sm text-indigo-700 hover:underline">
        ← Clusters
      </Link>
      <PageHeader title={cluster.name} description={cluster.description || undefined} />
      <ClusterDetail initial={cluster} isAdmin={user.isAdmin} />
    </>
  );
}
