import { Button } from "./button";

/** Footer of a keyset-paged list: how many of the total are shown, and a button for the next page. */
export function LoadMore({
  shown,
  total,
  noun,
  hasMore,
  loading,
  onLoadMore,
}: {
  shown: number;
  total: number | undefined;
  noun: string;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
}) {
  if (total === undefined || total === 0) return null;
  return (
    <div className="flex flex-wrap items-center gap-3 pt-3 text-sm text-slate-600">
      <span data-testid={`${noun}-count`}>
        Showing {shown} of {total} {noun}
      </span>
      {hasMore ? (
        <Button variant="secondary" pending={loading} onClick={onLoadMore}>
          Load more {noun}
        </Button>
      ) : null}
    </div>
  );
}
