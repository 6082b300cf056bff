import "server-only";
import type { SecretKeyChange } from "@/lib/api/rollout-types";

const dataOf = (object: Record<string, unknown> | null | undefined): Record<string, Buffer> => {
  const result: Record<string, Buffer> = {};
  const data = object?.data;
  if (data && typeof data === "object" && !Array.isArray(data))
    for (const [key, value] of Object.entries(data))
      if (typeof value === "string") result[key] = Buffer.from(value, "base64");
  const stringData = object?.stringData;
  if (stringData && typeof stringData === "object" && !Array.isArray(stringData))
    for (const [key, value] of Object.entries(stringData))
      if (typeof value === "string") result[key] = Buffer.from(value, "utf8");
  return result;
};

/**
 * A Secret's change per key between two versions (live and after apply): added, changed,
 * unchanged or removed, each with a fingerprint from a per-request digester (see
 * secret-mask.ts), so values are told apart within one answer and never shown or matched later.
 * The caller knows the objects are Secrets from their reference.
 */
export function secretKeyChanges(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
  digest: (value: Buffer) => string,
): SecretKeyChange[] {
  const old = dataOf(before);
  const next = dataOf(after);
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  return keys.map((key) => {
    const a = old[key];
    const b = next[key];
    const change = !a ? "added" : !b ? "removed" : a.equals(b) ? "unchanged" : "changed";
    return { key, change, fingerprint: b ? digest(b).slice(0, 12) : null };
  });
}
