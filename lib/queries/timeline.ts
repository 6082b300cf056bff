import { infiniteQueryOptions } from "@tanstack/react-query";
import { fetchChanges, type ChangeFilters, type ChangesPageParam } from "@/lib/api/timeline";

/**
 * The timeline shares the "k8s" root with the rest of the cluster data. The range travels with
 * each page: the first page fixes it (a relative range such as "last hour" is resolved when the
 * first page is asked for), and every later page reads the same range with the cursor, so the
 * total and the pages agree however long the list stays open.
 */
export const timelineKeys = {
  changes: (filters: ChangeFilters, range: string) => ["k8s", "changes", filters, range] as const,
};

export const changesQuery = (filters: ChangeFilters, range: string, resolveRange: () => ChangesPageParam) =>
  infiniteQueryOptions({
    queryKey: timelineKeys.changes(filters, range),
    queryFn: ({ pageParam }) => fetchChanges(filters, pageParam ?? resolveRange()),
    initialPageParam: undefined as ChangesPageParam | undefined,
    getNextPageParam: (last) =>
      last.nextCursor ? { from: last.range.from, to: last.range.to, cursor: last.nextCursor } : undefined,
    // A refetch would ask the first page for a new "now" and later pages for the old range: refresh explicitly.
    refetchOnWindowFocus: false,
    staleTime: 30_000,
  });
