import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TeamDetail } from "@/components/teams/team-detail";
import { PageHeader } from "@/components/ui/page-header";
import { isAppError } from "@/lib/server/errors/app-error";
import { getPageProfile } from "@/lib/server/http/page-caller";
import { getTeam } from "@/lib/server/teams/teams";

export const metadata: Metadata = { title: "Team" };

export default async function TeamPage({ params }: { params: Promise<{ id: string }> }) {
  const profile = await getPageProfile();
  const { id } = await params;
  const team = await getTeam(profile, id).catch((error: unknown) => {
    if (isAppError(error) && error.status === 404) notFound();
    throw error;
  });
  return (
    <>
      <Link href="/teams" className="text-sm text-indigo-700 hover:underline">
        ← Teams
      </Link>
      <PageHeader title={team.name} description={team.description || undefined} />
      <TeamDetail initial={team} />
    </>
  );
}
