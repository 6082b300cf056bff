import "server-only";
import { randomUUID } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import type { z } from "zod";
import { authenticate, type Caller } from "@/lib/server/auth/caller";
import { SESSION_COOKIE } from "@/lib/server/auth/session-token";
import { env } from "@/lib/server/config/env";
import { forbidden, unauthenticated, validationFailed } from "@/lib/server/errors/app-error";
import { handleApiError } from "./handle-error";
import { assertSameOrigin } from "./origin-check";
import { readJsonBody } from "./read-json";
import { requestFacts, type RequestFacts } from "./request-facts";
import { fieldErrorsFromZod } from "./zod-errors";

/**
 * The single door for route handlers: every file under app/api exports handlers built
 * with `route()`. It establishes the caller, enforces the access level, rejects
 * cross-site cookie mutations, parses and validates input, and maps every error.
 */

type Access = "public" | "user" | "admin";

interface RouteSpec<TBody extends z.ZodType | undefined, TQuery extends z.ZodType | undefined> {
  access: Access;
  body?: TBody;
  query?: TQuery;
  /** Overrides ARCHIPELAGO_MAX_BODY_BYTES for routes that take larger documents. */
  maxBodyBytes?: number;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface RouteContext<TBody, TQuery, TAccess extends Access> {
  request: NextRequest;
  caller: TAccess extends "public" ? Caller | null : Caller;
  body: TBody;
  query: TQuery;
  params: Record<string, string | string[]>;
  facts: RequestFacts;
  requestId: string;
  sessionToken: string | undefined;
}

type Handler<TBody, TQuery, TAccess extends Access> = (
  context: RouteContext<TBody, TQuery, TAccess>,
) => Promise<Response | object | null>;

type NextRouteContext = { params: Promise<Record<string, string | string[]>> };

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,64}$/;

export function route<
  TAccess extends Access,
  TBody extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
>(
  spec: RouteSpec<TBody, TQuery> & { access: TAccess },
  handler: Handler<Infer<TBody>, Infer<TQuery>, TAccess>,
) {
  return async function handle(request: NextRequest, nextContext?: NextRouteContext): Promise<Response> {
    const incomingId = request.headers.get("x-request-id");
    const requestId = incomingId && REQUEST_ID_PATTERN.test(incomingId) ? incomingId : randomUUID();
    try {
      const facts = requestFacts(request.headers);
      const sessionToken = request.cookies.get(SESSION_COOKIE)?.value;
      // Cookies are sent by the browser on its own, so a mutation that could ride on them
      // must prove it comes from our pages. That includes sign-in (login CSRF) and setup;
      // only a request authenticated purely by an Authorization header is exempt.
      const headerOnly = request.headers.has("authorization") && !sessionToken;
      if (!headerOnly) assertSameOrigin(request.method, facts);

      const caller = await authenticate({ sessionToken });
      if (spec.access !== "public" && !caller) throw unauthenticated();
      if (spec.access === "admin" && !caller?.user.isAdmin) throw forbidden();

      const query = spec.query ? parseOrThrow(spec.query, Object.fromEntries(request.nextUrl.searchParams)) : undefined;
      const body = spec.body ? parseOrThrow(spec.body, await readJsonBody(request, spec.maxBodyBytes ?? env().ARCHIPELAGO_MAX_BODY_BYTES)) : undefined;
      const params = (await nextContext?.params) ?? {};

      const result = await handler({
        request,
        caller: caller as RouteContext<Infer<TBody>, Infer<TQuery>, TAccess>["caller"],
        body: body as Infer<TBody>,
        query: query as Infer<TQuery>,
        params,
        facts,
        requestId,
        sessionToken,
      });
      const response = result instanceof Response ? result : NextResponse.json(result ?? { ok: true });
      response.headers.set("x-request-id", requestId);
      if (!response.headers.has("cache-control")) response.headers.set("cache-control", "no-store");
      return response;
    } catch (error) {
      return handleApiError(error, requestId);
    }
  };
}

function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationFailed(fieldErrorsFromZod(parsed.error));
  return parsed.data;
}
