"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { OwnerTeamBadge } from "@/components/teams/owner-team-badge";
import { EmptyState } from "@/components/ui/empty-state";
import { LoadMore } from "@/components/ui/load-more";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { releasesQuery, rolloutsQuery } from "@/lib/queries/rollouts";
import { StateBadge } from "./rollout-progress";
import { OtherTeamTemplate } from "./template-ref";

export function RolloutList() {
  const rollouts = useInfiniteQuery(rolloutsQuery());
  const releases = useInfiniteQuery(releasesQuery());
  const rolloutRows = rollouts.data?.pages.flatMap((page) => page.rollouts) ?? [];
  const releaseRows = releases.data?.pages.flatMap((page) => page.releases) ?? [];
  return (
    <div className="space-y-6">
      <Section title="Rollouts">
        <QueryState isPending={rollouts.isPending} error={rollouts.error} label="Rollouts">
          {rolloutRows.length === 0 ? (
            <EmptyState
              title="No rollouts yet"
              description="Start one from a template."
              action={
                <Link
                  href="/rollouts/new"
                  className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white"
                >
                  New rollout
                </Link>
              }
            />
          ) : (
            <table className="min-w-full text-sm">
              <thead className="text-left text-xs uppercase text-slate-500">
                <tr>
                  <th className="py-1">When</th>
                  <th>Who</th>
                  <th>Team</th>
                  <th>Release</th>
                  <th>Template</th>
                  <th>Targets</th>
                  <th>Outcome</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rolloutRows.map((r) => (
                  <tr key={r.id} data-testid={`rollout-${r.id}`}>
                    <td className="py-2">
                      <Link href={`/rollouts/${r.id}`} className="text-indigo-700 hover:underline">
                        {new Date(r.createdAt).toLocaleString()}
                      </Link>
                    </td>
                    <td>{r.createdByEmail}</td>
                    <td>
                      <OwnerTeamBadge team={r.team} />
                    </td>
                    <td>{r.release}</td>
                    <td>
                      {r.template ?? <OtherTeamTemplate />} #{r.revision}
                    </td>
                    <td>
                      {r.succeeded}/{r.targets} ok{r.failed ? `, ${r.failed} failed` : ""}
                    </td>
                    <td>
                      <StateBadge state={r.state} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <LoadMore
            shown={rolloutRows.length}
            total={rollouts.data?.pages.at(-1)?.total}
            noun="rollouts"
            hasMore={rollouts.hasNextPage}
            loading={rollouts.isFetchingNextPage}
            onLoadMore={() => void rollouts.fetchNextPage()}
          />
        </QueryState>
      </Section>
      <Section title="Releases">
        <QueryState isPending={releases.isPending} error={releases.error} label="Releases">
          {releaseRows.length === 0 ? (
            <p className="text-sm text-slate-500">No release yet: the first rollout creates one.</p>
          ) : null}
          <ul className="divide-y divide-slate-100 text-sm">
            {releaseRows.map((release) => (
              <li key={release.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span className="flex items-center gap-2">
                  <Link
                    href={`/rollouts/releases/${release.id}`}
                    className="font-medium text-indigo-700 hover:underline"
                  >
                    {release.name}
                  </Link>
                  <OwnerTeamBadge team={release.team} />
                </span>
                <span className="text-slate-600">
                  {release.template ?? <OtherTeamTemplate />} · revision(s) {release.revisions.join(", ") || "—"} ·{" "}
                  {release.clusters} cluster(s)
                  {release.drifted ? (
                    <span className="font-semibold text-amber-700"> · {release.drifted} drifted</span>
                  ) : null}
                  {release.autoHeal ? " · auto-heal" : ""}
                </span>
              </li>
            ))}
          </ul>
          <LoadMore
            shown={releaseRows.length}
            total={releases.data?.pages.at(-1)?.total}
            noun="releases"
            hasMore={releases.hasNextPage}
            loading={releases.isFetchingNextPage}
            onLoadMore={() => void releases.fetchNextPage()}
          />
        </QueryState>
      </Section>
    </div>
  );
}
