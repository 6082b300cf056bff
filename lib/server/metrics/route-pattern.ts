import "server-only";

/**
 * The route's pattern (`/api/v1/clusters/[id]`) from the request path and Next's params, so a
 * metric label never carries an id. Next hands route handlers their params but not the
 * pattern, so each param's value is put back as `[name]` (`[...name]` for a catch-all) at the
 * first path segment, from the left and in the params' order, that holds it. A param that
 * cannot be placed gives "unmatched" rather than a label with raw path segments in it.
 * A value equal to a static word of the same path (an id "members") may swap with that word;
 * the label then still holds only words of the route, never a caller's value.
 */
export const UNMATCHED_ROUTE = "unmatched";

export function routePattern(pathname: string, params: Record<string, string | string[] | undefined>): string {
  const segments = pathname.split("/").map(decodeSegment);
  const out: Array<string | null> = [...segments];
  let from = 1;
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    const at = findRun(segments, values, from);
    if (at < 0 || values.length === 0) return UNMATCHED_ROUTE;
    out[at] = Array.isArray(value) ? `[...${name}]` : `[${name}]`;
    for (let i = at + 1; i < at + values.length; i += 1) out[i] = null;
    from = at + values.length;
  }
  return out.filter((segment) => segment !== null).join("/") || "/";
}

function findRun(segments: Array<string | null>, values: string[], from: number): number {
  for (let at = from; at + values.length <= segments.length; at += 1)
    if (values.every((value, i) => segments[at + i] === value)) return at;
  return -1;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null; // malformed escapes match no param
  }
}
