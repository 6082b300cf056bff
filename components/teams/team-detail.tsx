"use client";

import { useQuery } from "@tanstack/react-query";
import type { TeamDetailView } from "@/lib/api/team-types";
import { teamQuery } from "@/lib/queries/access";
import { AccessPreview } from "./access-preview";
import { GrantsSection } from "./grants-section";
import { MembersSection } from "./members-section";

export function TeamDetail({ initial }: { initial: TeamDetailView }) {
  const { data: team = initial } = useQuery({ ...teamQuery(initial.id), initialData: initial });
  return (
    <div className="space-y-6">
      <MembersSection team={team} />
      <GrantsSection team={team} />
      <AccessPreview teamId={team.id} />
    </div>
  );
}
