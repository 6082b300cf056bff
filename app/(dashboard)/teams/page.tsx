import type { Metadata } from "next";
import Link from "next/link";
import { TeamList } from "@/components/teams/team-list";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Teams" };

export default async function TeamsPage() {
  const { user } = await requirePageCaller();
  return (
    <>
      <PageHeader
        title="Teams"
        description="A team sees only the clusters and namespaces its grants cover."
        actions={
          user.isAdmin ? (
            <div className="flex gap-2">
              <Link
                href="/teams/sso"
                className="rounded-md px-3 py-2 text-sm font-semibold ring-1 ring-slate-300 hover:bg-white"
              >
                Single sign-on
              </Link>
              <Link
                href="/teams/users"
                className="rounded-md px-3 py-2 text-sm font-semibold ring-1 ring-slate-300 hover:bg-white"
              >
                Users
              </Link>
            </div>
          ) : null
        }
      />
      <TeamList isAdmin={user.isAdmin} />
    </>
  );
}
