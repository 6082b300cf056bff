import "server-only";
import type { Strategy } from "@/lib/schemas/templates";

/**
 * Splits targets into waves: canary clusters first (their own wave), then the rest in
 * batches of a fixed size or a percentage of the remaining clusters (at least one).
 */
export function planWaves(targetIds: string[], strategy: Strategy): string[][] {
  if (strategy.kind === "all") return [targetIds];
  const canaries = targetIds.filter((id) => strategy.canaryClusterIds.includes(id));
  const rest = targetIds.filter((id) => !strategy.canaryClusterIds.includes(id));
  const size = strategy.batchSize ?? Math.max(1, Math.ceil((rest.length * (strategy.batchPercent ?? 100)) / 100));
  const waves: string[][] = canaries.length ? [canaries] : [];
  for (let i = 0; i < rest.length; i += size) waves.push(rest.slice(i, i + size));
  return waves;
}
