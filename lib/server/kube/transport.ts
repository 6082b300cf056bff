import "server-only";
import https from "node:https";
import tls from "node:tls";
import type http from "node:http";
import { isIP } from "node:net";
import {
  createConfiguration,
  type RequestContext,
  ResponseContext,
  ServerConfiguration,
  wrapHttpLibrary,
  type Configuration,
  type SecurityAuthentication,
} from "@kubernetes/client-node";
import { BlockedAddressError, guardedLookup, isBlockedAddress, normalizeAddress } from "./address-guard";
import type { ConnectionSpec } from "./credential";
import { deadlineReason } from "./deadline";
import { ClusterTimeoutError, classifyClusterError, classifyHttpStatus } from "./errors";
import { protectedEndpoints } from "./protected-endpoints";

/** A cluster is not allowed to make us buffer unbounded answers. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface RawRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** A deadline shared by several calls to this cluster (kube/deadline.ts): aborting ends this call at once. */
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Per-call identity headers (user impersonation); added by the access layer. */
export type ExtraHeaders = Record<string, string | string[]>;

// The generated clients insist on an auth method; ours lives in the transport itself.
const noAuth: SecurityAuthentication = { getName: () => "archipelago", applySecurityAuthentication: () => undefined };

/**
 * One cluster's connection: a keep-alive HTTPS agent (the connection pool) and the
 * credential, built from a ConnectionSpec. Requests never follow redirects, are bounded
 * by a timeout that covers connect, headers and body, and connect only to allowed
 * addresses.
 */
export class ClusterTransport {
  readonly agent: https.Agent;
  private readonly base: URL;

  constructor(
    readonly spec: ConnectionSpec,
    private readonly defaultTimeoutMs: number,
  ) {
    this.base = new URL(spec.server);
    const port = Number(this.base.port || 443);
    const credential = spec.credential;
    this.agent = new https.Agent({
      keepAlive: true,
      keepAliveMsecs: 15_000,
      maxSockets: 32,
      maxFreeSockets: 8,
      // Built once: otherwise every new connection (each watch is one) parses the CA and key again.
      secureContext: tls.createSecureContext({
        ca: spec.caData ?? undefined,
        cert: credential.type === "client_certificate" ? credential.certificate : undefined,
        key: credential.type === "client_certificate" ? credential.key : undefined,
      }),
      rejectUnauthorized: !spec.insecureSkipTlsVerify,
      servername: spec.tlsServerName ?? (isIP(this.base.hostname) ? undefined : this.base.hostname),
      lookup: guardedLookup(port, protectedEndpoints) as unknown as https.AgentOptions["lookup"],
    });
  }

  /** Raw JSON/bytes request relative to the server URL. Non-2xx answers are returned, not thrown. */
  async request(request: RawRequest, extraHeaders: ExtraHeaders = {}): Promise<RawResponse> {
    const url = this.urlFor(request);
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === "string"
          ? request.body
          : JSON.stringify(request.body);
    const headers: Record<string, string | string[]> = {
      accept: request.accept ?? "application/json",
      ...extraHeaders,
      ...(request.headers ?? {}),
    };
    if (body !== undefined) headers["content-type"] = request.contentType ?? "application/json";
    return this.send(url, request.method, headers, body, request.timeoutMs ?? this.defaultTimeoutMs, request.signal);
  }

  /** Like request(), but throws a ClusterCallError for non-2xx and parses JSON. */
  async json<T>(request: RawRequest, extraHeaders: ExtraHeaders = {}): Promise<T> {
    const response = await this.request(request, extraHeaders);
    const failure = classifyHttpStatus(response.status);
    if (failure) throw failure;
    try {
      return JSON.parse(response.body.toString("utf8")) as T;
    } catch {
      throw classifyClusterError(Object.assign(new Error("bad json"), { code: "EBADJSON" }));
    }
  }

  /** A configuration for @kubernetes/client-node's generated API classes over this transport. */
  configuration(
    extraHeaders: ExtraHeaders = {},
    timeoutMs = this.defaultTimeoutMs,
    signal?: AbortSignal,
  ): Configuration {
    return createConfiguration({
      baseServer: new ServerConfiguration<Record<string, string>>(this.base.href.replace(/\/$/, ""), {}),
      authMethods: { default: noAuth },
      httpApi: wrapHttpLibrary({
        send: async (context: RequestContext) => {
          const headers: Record<string, string | string[]> = { ...context.getHeaders(), ...extraHeaders };
          const rawBody = context.getBody();
          const body =
            typeof rawBody === "string" ? rawBody : rawBody === undefined ? undefined : JSON.stringify(rawBody);
          const response = await this.send(
            new URL(context.getUrl()),
            context.getHttpMethod().toString(),
            headers,
            body,
            timeoutMs,
            signal,
          );
          const flatHeaders: Record<string, string> = {};
          for (const [key, value] of Object.entries(response.headers)) {
            if (value !== undefined) flatHeaders[key] = Array.isArray(value) ? value.join(", ") : value;
          }
          const text = response.body.toString("utf8");
          return new ResponseContext(response.status, flatHeaders, {
            text: async () => text,
            binary: async () => response.body,
          });
        },
      }),
    });
  }

  /**
   * A long-lived streaming GET (a Kubernetes watch): each newline-delimited JSON object is
   * handed to onEvent. Resolves when the server ends the stream, rejects on a non-2xx
   * answer or a connection problem, and gives up when nothing (not even a bookmark)
   * arrives for idleTimeoutMs. Aborting the signal ends it quietly.
   */
  stream(
    request: Omit<RawRequest, "method" | "body" | "timeoutMs"> & { idleTimeoutMs: number },
    onEvent: (event: unknown) => void,
    signal: AbortSignal,
    extraHeaders: ExtraHeaders = {},
  ): Promise<void> {
    const url = this.urlFor(request);
    return new Promise<void>((resolve, reject) => {
      const refused = refusedLiteral(url);
      if (refused) return reject(refused);
      const headers = this.withAuth({
        accept: request.accept ?? "application/json",
        ...extraHeaders,
        ...(request.headers ?? {}),
      });
      let settled = false;
      let idle: NodeJS.Timeout;
      const finish = (error?: unknown, fromCallback = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        signal.removeEventListener("abort", onAbort);
        // Errors thrown by onEvent are the caller's own and pass through unchanged.
        if (error && !signal.aborted) reject(fromCallback ? error : classifyClusterError(error));
        else resolve();
      };
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          const error = new ClusterTimeoutError(request.idleTimeoutMs);
          outgoing.destroy(error);
          finish(error);
        }, request.idleTimeoutMs);
      };
      const onAbort = () => {
        outgoing.destroy();
        finish();
      };
      const outgoing = https.request(url, { method: "GET", agent: this.agent, headers }, (response) => {
        const failure = classifyHttpStatus(response.statusCode ?? 0);
        if (failure) {
          response.resume();
          return finish(failure);
        }
        let buffered = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          armIdle();
          buffered += chunk;
          let newline = buffered.indexOf("\n");
          while (newline >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line) {
              try {
                onEvent(JSON.parse(line) as unknown);
              } catch (error) {
                outgoing.destroy();
                return error instanceof SyntaxError
                  ? finish(Object.assign(new Error("bad watch event"), { code: "EBADJSON" }))
                  : finish(error, true);
              }
            }
            newline = buffered.indexOf("\n");
          }
        });
        response.on("end", () => finish());
        response.on("error", (error) => finish(error));
      });
      signal.addEventListener("abort", onAbort);
      armIdle();
      outgoing.on("error", (error) => finish(error));
      outgoing.end();
    });
  }

  destroy(): void {
    this.agent.destroy();
  }

  private urlFor(request: Pick<RawRequest, "path" | "query">): URL {
    const url = new URL(
      request.path.replace(/^\//, ""),
      this.base.href.endsWith("/") ? this.base.href : `${this.base.href}/`,
    );
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private withAuth(headers: ExtraHeaders): ExtraHeaders {
    const credential = this.spec.credential;
    return credential.type === "token" ? { ...headers, authorization: `Bearer ${credential.token}` } : { ...headers };
  }

  private send(
    url: URL,
    method: string,
    headers: Record<string, string | string[]>,
    body: string | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const refused = refusedLiteral(url);
      if (refused) return reject(refused);
      if (signal?.aborted) return reject(classifyClusterError(deadlineReason(signal)));
      const allHeaders = this.withAuth(headers);
      if (body !== undefined) allHeaders["content-length"] = String(Buffer.byteLength(body));

      let settled = false;
      const finish = (error: unknown, value?: RawResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(classifyClusterError(error));
        else resolve(value!);
      };
      const request = https.request(url, { method, agent: this.agent, headers: allHeaders }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            request.destroy(Object.assign(new Error("response too large"), { code: "EARCHIPELAGO_TOO_LARGE" }));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () =>
          finish(null, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on("error", (error) => finish(error));
      });
      // One deadline for the whole exchange: a server that accepts and then stalls
      // (headers or body) costs at most timeoutMs.
      const timer = setTimeout(() => {
        const error = new ClusterTimeoutError(timeoutMs);
        request.destroy(error);
        finish(error);
      }, timeoutMs);
      // The shared deadline (one per cluster per fan-out) ends the exchange like its own timer would.
      const onAbort = () => {
        const error = deadlineReason(signal!);
        request.destroy(error);
        finish(error);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      request.on("error", (error) => finish(error));
      if (body !== undefined) request.write(body);
      request.end();
    });
  }
}

/** IP literals never reach the agent's lookup hook, so they are checked before connecting. */
function refusedLiteral(url: URL): Error | undefined {
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  if (!normalizeAddress(literal)) return undefined;
  const reason = isBlockedAddress(literal, Number(url.port || 443), protectedEndpoints());
  return reason ? classifyClusterError(new BlockedAddressError(`${literal} is refused: ${reason}`)) : undefined;
}
