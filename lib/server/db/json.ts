import "server-only";

/** A JSON column holding a string map (labels, variables), read defensively: anything else is empty. */
export function stringRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(([, v]) => typeof v === "string"),
  ) as Record<string, string>;
}
