import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import {
  fetchRelease,
  fetchReleases,
  fetchRollout,
  fetchRevision,
  fetchRollouts,
  fetchTemplates,
} from "@/lib/api/rollouts";

export const rolloutKeys = {
  templates: ["templates"] as const,
  revision: (id: string, number: number) => ["templates", id, "revision", number] as const,
  rollouts: ["rollouts"] as const,
  rollout: (id: string) => ["rollouts", id] as const,
  releases: ["releases"] as const,
  release: (id: string) => ["releases", id] as const,
};

const TERMINAL = new Set(["succeeded", "failed", "aborted", "rolled_back", "rejected"]);

export const templatesQuery = () => queryOptions({ queryKey: rolloutKeys.templates, queryFn: fetchTemplates });
/** Revisions never change once saved. */
export const revisionQuery = (id: string, number: number) =>
  queryOptions({ queryKey: rolloutKeys.revision(id, number), queryFn: () => fetchRevision(id, number) });
/** Pages of rollouts ("Load more" asks for the next cursor); every loaded page is refreshed. */
export const rolloutsQuery = () =>
  infiniteQueryOptions({
    queryKey: rolloutKeys.rollouts,
    queryFn: ({ pageParam }) => fetchRollouts(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 5000,
  });
/** A running rollout is watched closely; a finished one no longer changes. */
export const rolloutQuery = (id: string) =>
  queryOptions({
    queryKey: rolloutKeys.rollout(id),
    queryFn: () => fetchRollout(id),
    refetchInterval: (query) => (query.state.data && TERMINAL.has(query.state.data.state) ? false : 1500),
  });
export const releasesQuery = () =>
  infiniteQueryOptions({
    queryKey: rolloutKeys.releases,
    queryFn: ({ pageParam }) => fetchReleases(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 10_000,
  });
export const releaseQuery = (id: string) =>
  queryOptions({ queryKey: rolloutKeys.release(id), queryFn: () => fetchRelease(id), refetchInterval: 10_000 });
