import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { ClusterList } from "@/components/clusters/cluster-list";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Clusters" };

export default async function ClustersPage() {
  const { user } = await requirePageCaller();
  return (
    <>
      <PageHeader
        title="Clusters"
        description="Every registered cluster, its health and how it is labelled."
        actions={
          user.isAdmin ? (
            <>
              <Link
                href="/clusters/import"
                className="rounded-md px-3 py-2 text-sm font-semibold ring-1 ring-slate-300 hover:bg-white"
              >
                Import kubeconfig
              </Link>
              <Link
                href="/clusters/new"
                className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
              >
                Register cluster
              </Link>
            </>
          ) : null
        }
      />
      <Suspense>
        <ClusterList isAdmin={user.isAdmin} />
      </Suspense>
    </>
  );
}
