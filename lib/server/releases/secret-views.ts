import "server-only";
import type { SecretParamView } from "@/lib/api/rollout-types";
import { requestDigester } from "@/lib/server/redact/secret-mask";
import { secretParamFacts } from "@/lib/server/secrets/sealed-params";
import { setPath } from "@/lib/server/templates/secret-schema";
import { markersIn } from "./secret-render";

/**
 * How stored parameters are shown: each sealed marker is left out of them, and listed as "set", by whom and when, and a
 * fingerprint keyed for this one answer (an HMAC of the stored keyed digest under a key made
 * per call), so two values can be told apart on one page and nothing can be matched across
 * answers or guessed. No value and no stable digest ever leaves.
 */
export async function secretParamViews(
  params: Record<string, unknown>,
  fingerprint: (digest: string) => string = fingerprinter(),
): Promise<{ params: Record<string, unknown>; secrets: SecretParamView[] }> {
  const markers = markersIn(params);
  if (markers.size === 0) return { params, secrets: [] };
  const facts = await secretParamFacts([...markers.values()]);
  let shown = params;
  const secrets: SecretParamView[] = [];
  for (const [path, id] of markers) {
    const fact = facts.get(id);
    const view: SecretParamView = fact
      ? {
          path,
          set: true,
          setBy: fact.setByEmail,
          setAt: fact.setAt.toISOString(),
          fingerprint: fingerprint(fact.digest),
        }
      : { path, set: false, setBy: null, setAt: null, fingerprint: null };
    secrets.push(view);
    // Left out of the shown parameters (undefined is dropped from JSON), not replaced by a
    // placeholder: a client copying these parameters into a new rollout would seal the
    // placeholder as the new value. `secrets` says "set by … at …".
    shown = setPath(shown, path, undefined);
  }
  return { params: shown, secrets: secrets.sort((a, b) => a.path.localeCompare(b.path)) };
}

/** A per-answer fingerprint function (one key for all secrets of one response). */
export function fingerprinter(): (digest: string) => string {
  const digest = requestDigester();
  return (stored) => digest(Buffer.from(stored, "hex")).slice(0, 12);
}
