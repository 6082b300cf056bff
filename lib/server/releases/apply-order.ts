import "server-only";
import type { Manifest } from "@/lib/server/templates/documents";

/**
 * Which manifests can be applied together: Namespaces first, then CRDs, then everything
 * else at once (Kubernetes accepts references to objects that do not exist yet, e.g. a
 * Deployment naming a ServiceAccount, and its controllers catch up). Returns indexes into
 * the input, in template order within each tier.
 */
export function applyTiers(manifests: Pick<Manifest, "kind">[]): number[][] {
  const rank = (kind: string) => (kind === "Namespace" ? 0 : kind === "CustomResourceDefinition" ? 1 : 2);
  const tiers: number[][] = [[], [], []];
  manifests.forEach((manifest, index) => tiers[rank(manifest.kind)]!.push(index));
  return tiers.filter((tier) => tier.length > 0);
}
