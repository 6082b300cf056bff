import "server-only";
import { randomUUID } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import type { z } from "zod";
import { loadAccessProfile } from "@/lib/server/access/profile";
import { canSeeKeyIds, type AccessProfile } from "@/lib/server/access/policy";
import { recordAudit, recordAuditStart, type AuditActor, type AuditTarget } from "@/lib/server/audit/record";
import { authenticate, type Caller } from "@/lib/server/auth/caller";
import { SESSION_COOKIE } from "@/lib/server/auth/session-token";
import { env } from "@/lib/server/config/env";
import {
  AppError,
  forbidden,
  isAppError,
  notFound,
  unauthenticated,
  validationFailed,
  type FieldErrors,
} from "@/lib/server/errors/app-error";
import { logger } from "@/lib/server/log/logger";
import { observeRequests } from "@/lib/server/metrics/http-requests";
import { handleApiError } from "./handle-error";
import { controlCharacterProblems, unknownFieldProblems } from "./input-checks";
import { assertSameOrigin } from "./origin-check";
import { readJsonBody } from "./read-json";
import { requestFacts, type RequestFacts } from "./request-facts";
import { fieldErrorsFromZod } from "@/lib/server/errors/zod-errors";

/**
 * The single door for route handlers: every file under app/api exports handlers built
 * with `route()`. It establishes the caller (session cookie or API token), enforces the
 * access level, rejects cross-site cookie mutations, parses and validates input, loads
 * the caller's access profile on demand, writes the audit row of every mutation, and maps
 * every error.
 */

type Access = "public" | "user" | "admin";

interface RouteSpec<
  TBody extends z.ZodType | undefined,
  TQuery extends z.ZodType | undefined,
  TParams extends z.ZodType | undefined,
> {
  access: Access;
  body?: TBody;
  query?: TQuery;
  /**
   * The path's dynamic segments (`[id]`, `[action]`, `[number]`), built from lib/schemas/params.ts.
   * A segment that does not fit names something that does not exist: 404 "<what> not found",
   * the same answer as a well-formed id that is unknown or hidden. Checked after the body, so a
   * malformed id and an unknown one also agree when the body is wrong.
   */
  params?: TParams;
  /**
   * The handler checks the query string itself, in full (limits, control characters, unknown
   * names): only for the single sign-on callback, which a provider's redirect reaches in a
   * browser, so bad input must answer with the sign-in page rather than JSON.
   */
  queryCheckedByHandler?: true;
  /** Overrides ARCHIPELAGO_MAX_BODY_BYTES for routes that take larger documents. */
  maxBodyBytes?: number;
  /** Audit action name. Required for every unsafe method (enforced at request time and by the authorization matrix test). */
  audit?: string;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;
/** A route without a params schema reads no path segments. */
type InferParams<T> = T extends z.ZodType ? z.infer<T> : Record<string, never>;

export interface AuditContext {
  target(target: AuditTarget): void;
  detail(key: string, value: unknown): void;
  /** For routes that establish the actor themselves (sign-in). */
  actor(actor: AuditActor | null): void;
}

export interface RouteContext<TBody, TQuery, TAccess extends Access, TParams = Record<string, never>> {
  request: NextRequest;
  caller: TAccess extends "public" ? Caller | null : Caller;
  body: TBody;
  query: TQuery;
  params: TParams;
  facts: RequestFacts;
  requestId: string;
  sessionToken: string | undefined;
  /** The caller's grants, loaded once per request when first asked for. */
  profile(): Promise<AccessProfile>;
  audit: AuditContext;
}

type Handler<TBody, TQuery, TAccess extends Access, TParams> = (
  context: RouteContext<TBody, TQuery, TAccess, TParams>,
) => Promise<Response | object | null>;

type NextRouteContext = { params: Promise<Record<string, string | string[]>> };

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,64}$/;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function route<
  TAccess extends Access,
  TBody extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
  TParams extends z.ZodType | undefined = undefined,
>(
  spec: RouteSpec<TBody, TQuery, TParams> & { access: TAccess },
  handler: Handler<Infer<TBody>, Infer<TQuery>, TAccess, InferParams<TParams>>,
) {
  return observeRequests(async function handle(
    request: NextRequest,
    nextContext?: NextRouteContext,
  ): Promise<Response> {
    const incomingId = request.headers.get("x-request-id");
    const requestId = incomingId && REQUEST_ID_PATTERN.test(incomingId) ? incomingId : randomUUID();
    const facts = requestFacts(request.headers);
    const mutation = !SAFE_METHODS.has(request.method.toUpperCase());
    let caller: Caller | null = null;
    let auditActor: AuditActor | null | undefined;
    const auditTarget: AuditTarget = {};
    const auditDetails: Record<string, unknown> = {};
    /** Where the mutation's audit stands: no start row needed yet, start recorded, or start refused (nothing ran). */
    let auditStage: "before-start" | "started" | "start-failed" = "before-start";
    let response: Response;

    try {
      if (mutation && !spec.audit)
        throw new Error(`route for ${request.method} ${request.nextUrl.pathname} has no audit action`);
      const sessionToken = request.cookies.get(SESSION_COOKIE)?.value;
      const authorization = request.headers.get("authorization");
      // Cookies are sent by the browser on its own, so a mutation that could ride on them
      // must prove it comes from our pages. That includes sign-in (login CSRF) and setup;
      // only a request authenticated purely by an Authorization header is exempt.
      const headerOnly = Boolean(authorization) && !sessionToken;
      if (!headerOnly) assertSameOrigin(request.method, facts);

      caller = await authenticate({ sessionToken, authorization });
      if (!caller && (spec.access !== "public" || authorization)) throw unauthenticated();
      if (spec.access === "admin" && !caller?.user.isAdmin) throw forbidden("Only admins can do this");

      // Every input is checked here, once, for every route (see input-checks.ts).
      const rawParams = (await nextContext?.params) ?? {};
      const rawQuery = Object.fromEntries(request.nextUrl.searchParams);
      const rawBody = spec.body
        ? await readJsonBody(request, spec.maxBodyBytes ?? env().ARCHIPELAGO_MAX_BODY_BYTES)
        : undefined;
      refuseIfAny({
        ...controlCharacterProblems(rawParams, { multiline: false }),
        ...(spec.queryCheckedByHandler ? {} : controlCharacterProblems(rawQuery, { multiline: false })),
        ...controlCharacterProblems(rawBody, { multiline: true }),
      });
      if (!spec.query && !spec.queryCheckedByHandler)
        refuseIfAny(
          Object.fromEntries(Object.keys(rawQuery).map((key) => [key, [`${key} is not a known query parameter`]])),
        );
      const query = spec.query ? parseOrThrow(spec.query, rawQuery) : undefined;
      const body = spec.body ? parseOrThrow(spec.body, rawBody) : undefined;
      refuseIfAny({ ...unknownFieldProblems(rawQuery, query), ...unknownFieldProblems(rawBody, body) });
      // After the body, so a malformed id answers exactly like an unknown one whatever the body says.
      const params = spec.params ? parseParamsOrNotFound(spec.params, rawParams) : {};

      // Fail closed: a mutation whose start cannot be recorded does not run (record.ts says why).
      if (mutation) {
        auditStage = "start-failed";
        await recordAuditStart({
          actor: auditActorOf(caller),
          action: spec.audit!,
          requestId,
          clientIp: facts.clientIp,
          path: request.nextUrl.pathname,
        });
        auditStage = "started";
      }
      let profile: Promise<AccessProfile> | undefined;
      const result = await handler({
        request,
        caller: caller as RouteContext<Infer<TBody>, Infer<TQuery>, TAccess>["caller"],
        body: body as Infer<TBody>,
        query: query as Infer<TQuery>,
        params: params as InferParams<TParams>,
        facts,
        requestId,
        sessionToken,
        profile: () => {
          if (!caller) throw unauthenticated();
          profile ??= loadAccessProfile(caller);
          return profile;
        },
        audit: {
          target: (target) => Object.assign(auditTarget, target),
          detail: (key, value) => {
            auditDetails[key] = value;
          },
          actor: (actor) => {
            auditActor = actor;
          },
        },
      });
      response = result instanceof Response ? result : NextResponse.json(result ?? { ok: true });
      response.headers.set("x-request-id", requestId);
      if (!response.headers.has("cache-control")) response.headers.set("cache-control", "no-store");
    } catch (error) {
      response = handleApiError(await withKeyIdsIfAllowed(error, caller), requestId);
      if (isAppError(error) && error.code === "validation_failed")
        auditDetails.invalidFields = Object.keys(error.options.fields ?? {}).slice(0, 20);
    }

    // A refused start has been logged and answered (503, nothing ran); the database is not asked twice.
    if (mutation && spec.audit && auditStage !== "start-failed") {
      const status = response.status;
      try {
        await recordAudit({
          actor: auditActor !== undefined ? auditActor : auditActorOf(caller),
          action: spec.audit,
          target: auditTarget,
          result: status < 400 ? "success" : status === 401 || status === 403 || status === 404 ? "denied" : "failure",
          httpStatus: status,
          requestId,
          clientIp: facts.clientIp,
          details: auditDetails,
        });
      } catch (error) {
        // Fail closed: an action whose outcome is not recorded does not answer as done, and
        // a read that needs auditing (a secret reveal) never hands out its result. Its start
        // row is in the trail, so the action is not missing from it.
        logger.error(
          { action: spec.audit, requestId, errorName: error instanceof Error ? error.name : "unknown" },
          "audit write failed; the answer is withheld",
        );
        response = handleApiError(
          new AppError(
            503,
            "audit_unavailable",
            auditStage === "started"
              ? `The outcome could not be recorded in the audit log, so it is withheld; the action's start is recorded as request ${requestId}. Check the result before trying again`
              : "The request could not be recorded in the audit log; nothing was changed",
          ),
          requestId,
        );
      }
    }
    return response;
  });
}

/** An error with key ids (an unopenable credential) names them only to callers the policy lets see them. */
async function withKeyIdsIfAllowed(error: unknown, caller: Caller | null): Promise<unknown> {
  if (!isAppError(error) || !error.options.keyIdMessage || !caller) return error;
  // The fuller message is a courtesy: if the profile does not load, the plain one is answered.
  const allowed = await loadAccessProfile(caller).then(canSeeKeyIds, () => false);
  if (!allowed) return error;
  return new AppError(error.status, error.code, error.options.keyIdMessage, {
    fields: error.options.fields,
    headers: error.options.headers,
  });
}

const auditActorOf = (caller: Caller | null): AuditActor | null =>
  caller ? { userId: caller.user.id, email: caller.user.email, via: caller.via } : null;

function refuseIfAny(problems: FieldErrors): void {
  if (Object.keys(problems).length > 0) throw validationFailed(problems);
}

function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationFailed(fieldErrorsFromZod(parsed.error));
  return parsed.data;
}

/** A path segment that does not fit its schema is a resource that does not exist; the issue's message names it. */
function parseParamsOrNotFound<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw notFound(parsed.error.issues[0]?.message ?? "Resource");
  return parsed.data;
}
