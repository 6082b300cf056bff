import "server-only";
import { parseDocument } from "yaml";
import { z } from "zod";
import type { CredentialInput } from "@/lib/schemas/clusters";

/**
 * Reads a kubeconfig (pasted or uploaded) into registration candidates, one per context.
 * Only self-contained material is accepted: a context whose user needs an exec or
 * auth-provider plugin, basic auth, or files on the machine that wrote the kubeconfig is
 * listed with the reason it cannot be imported.
 */

const namedList = <T extends z.ZodType>(inner: T) =>
  z.array(z.object({ name: z.string().min(1) }).and(inner)).default([]);

const kubeconfigSchema = z.object({
  clusters: namedList(
    z.object({
      cluster: z
        .object({
          server: z.string().optional(),
          "certificate-authority-data": z.string().optional(),
          "certificate-authority": z.string().optional(),
          "insecure-skip-tls-verify": z.boolean().optional(),
          "tls-server-name": z.string().optional(),
          "proxy-url": z.string().optional(),
        })
        .passthrough(),
    }),
  ),
  users: namedList(z.object({ user: z.record(z.string(), z.unknown()).nullable().default({}) })),
  contexts: namedList(
    z.object({
      context: z
        .object({ cluster: z.string().optional(), user: z.string().optional(), namespace: z.string().optional() })
        .passthrough(),
    }),
  ),
  "current-context": z.string().optional(),
});

export interface ImportCandidate {
  context: string;
  clusterName: string | null;
  userName: string | null;
  server: string | null;
  authType: CredentialInput["type"] | null;
  insecureSkipTlsVerify: boolean;
  current: boolean;
  suggestedName: string;
  /** Why this context cannot be imported, or null. */
  problem: string | null;
  /** Another context of this kubeconfig for the same API server, and why that one is kept: not chosen by default. */
  duplicate: { of: string; reason: string } | null;
}

export interface ResolvedContext {
  candidate: ImportCandidate;
  connection: {
    server: string;
    caData: string | null;
    insecureSkipTlsVerify: boolean;
    tlsServerName: string | null;
    credential: CredentialInput;
  } | null;
}

export class KubeconfigError extends Error {
  override name = "KubeconfigError";
}

const FILE_HINT = "embed the data instead (kubectl config view --flatten --minify)";

export function parseKubeconfig(text: string): ResolvedContext[] {
  // Aliases are capped: a kubeconfig has no use for them, and they enable expansion bombs.
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new KubeconfigError(
      `Kubeconfig is not valid YAML${line ? ` (line ${line})` : ""}: ${first.code.toLowerCase().replaceAll("_", " ")}`,
    );
  }
  const raw: unknown = document.toJS({ maxAliasCount: 10 });
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new KubeconfigError("Kubeconfig must be a YAML mapping with clusters, users and contexts");
  const parsed = kubeconfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new KubeconfigError(`Kubeconfig is malformed at ${issue.path.join(".") || "top level"}: ${issue.message}`);
  }
  const config = parsed.data;
  if (config.contexts.length === 0) throw new KubeconfigError("Kubeconfig has no contexts");

  return markDuplicateServers(
    config.contexts.map((entry) => {
      const clusterEntry = config.clusters.find((cluster) => cluster.name === entry.context.cluster);
      const userEntry = config.users.find((user) => user.name === entry.context.user);
      const candidate: ImportCandidate = {
        context: entry.name,
        clusterName: entry.context.cluster ?? null,
        userName: entry.context.user ?? null,
        server: clusterEntry?.cluster.server ?? null,
        authType: null,
        insecureSkipTlsVerify: clusterEntry?.cluster["insecure-skip-tls-verify"] ?? false,
        current: config["current-context"] === entry.name,
        suggestedName: suggestName(entry.name),
        problem: null,
        duplicate: null,
      };
      const reject = (problem: string): ResolvedContext => ({ candidate: { ...candidate, problem }, connection: null });

      if (!clusterEntry)
        return reject(`Context refers to cluster "${entry.context.cluster ?? ""}", which is not in the kubeconfig`);
      if (!userEntry)
        return reject(`Context refers to user "${entry.context.user ?? ""}", which is not in the kubeconfig`);
      const cluster = clusterEntry.cluster;
      if (!cluster.server) return reject("The cluster entry has no server URL");
      if (cluster["certificate-authority"]) return reject(`The CA is a file path; ${FILE_HINT}`);
      if (cluster["proxy-url"]) return reject("Clusters behind a proxy-url are not supported");

      const user = userEntry.user ?? {};
      if (user.exec)
        return reject(
          "The user needs an exec plugin, which Archipelago will not run on its server; use a token or client certificate",
        );
      if (user["auth-provider"])
        return reject(
          "The user needs an auth-provider plugin, which is not supported; use a token or client certificate",
        );
      if (user.username || user.password)
        return reject("Basic authentication is not supported; use a token or client certificate");
      if (user.tokenFile || user["client-certificate"] || user["client-key"])
        return reject(`The credential is a file path; ${FILE_HINT}`);

      let credential: CredentialInput;
      if (typeof user.token === "string" && user.token) {
        credential = { type: "token", token: user.token };
      } else if (typeof user["client-certificate-data"] === "string" && typeof user["client-key-data"] === "string") {
        credential = {
          type: "client_certificate",
          certificate: decodeBase64(user["client-certificate-data"]),
          key: decodeBase64(user["client-key-data"]),
        };
      } else {
        return reject("The user has no token or client certificate");
      }
      const caData = cluster["certificate-authority-data"] ? decodeBase64(cluster["certificate-authority-data"]) : null;
      return {
        candidate: { ...candidate, authType: credential.type },
        connection: {
          server: cluster.server,
          caData,
          insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] ?? false,
          tlsServerName: cluster["tls-server-name"] ?? null,
          credential,
        },
      };
    }),
  );
}

/** One cluster per API server: the same URL (scheme, host, port, path) and the same TLS server name. */
function serverKey(connection: NonNullable<ResolvedContext["connection"]>): string {
  let address = connection.server;
  try {
    const url = new URL(connection.server);
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    address = `${url.protocol}//${url.hostname.toLowerCase()}:${port}${url.pathname.replace(/\/+$/, "")}`;
  } catch {
    // Not a URL: registration will say so; compared as written.
  }
  return `${address}|${connection.tlsServerName ?? ""}`;
}

/**
 * Several contexts often reach one API server (a namespace or user per context): registered
 * each, they would be several clusters with their own watches and health. The kept context is
 * the current one when it is among them, else the first; the others name it and the reason.
 */
export function markDuplicateServers(contexts: ResolvedContext[]): ResolvedContext[] {
  const groups = new Map<string, ResolvedContext[]>();
  for (const context of contexts) {
    if (!context.connection) continue;
    const key = serverKey(context.connection);
    groups.set(key, [...(groups.get(key) ?? []), context]);
  }
  const duplicates = new Map<string, { of: string; reason: string }>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const kept = group.find((c) => c.candidate.current) ?? group[0]!;
    const why = kept.candidate.current ? "the current context" : "the first in the file";
    for (const other of group)
      if (other !== kept)
        duplicates.set(other.candidate.context, {
          of: kept.candidate.context,
          reason: `Same API server as context "${kept.candidate.context}" (${kept.connection!.server}), which is kept as ${why}`,
        });
  }
  return contexts.map((context) => {
    const duplicate = duplicates.get(context.candidate.context);
    return duplicate ? { ...context, candidate: { ...context.candidate, duplicate } } : context;
  });
}

function decodeBase64(value: string): string {
  return Buffer.from(value.trim(), "base64").toString("utf8");
}

/** A cluster name derived from a context name (lower-case DNS label). */
export function suggestName(context: string): string {
  const cleaned = context
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/g, "");
  return cleaned || "cluster";
}
