import "server-only";
import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { isAppError } from "@/lib/server/errors/app-error";
import { clusterFailure, isClusterCallError } from "@/lib/server/kube/errors";
import { logger } from "@/lib/server/log/logger";
import { scrubSecrets } from "@/lib/server/log/scrub";
import { fieldErrorsFromZod } from "@/lib/server/errors/zod-errors";

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    fields?: Record<string, string[]>;
    requestId: string;
  };
}

export function errorResponse(
  status: number,
  body: Omit<ErrorBody["error"], "requestId">,
  requestId: string,
  headers: Record<string, string> = {},
): NextResponse<ErrorBody> {
  return NextResponse.json(
    { error: { ...body, requestId } },
    { status, headers: { ...headers, "x-request-id": requestId, "cache-control": "no-store" } },
  );
}

/** The one mapping from thrown values to HTTP answers. */
export function handleApiError(error: unknown, requestId: string): NextResponse<ErrorBody> {
  if (isAppError(error)) {
    return errorResponse(
      error.status,
      { code: error.code, message: error.message, ...(error.options.fields ? { fields: error.options.fields } : {}) },
      requestId,
      error.options.headers,
    );
  }
  if (error instanceof ZodError) {
    return errorResponse(
      400,
      { code: "validation_failed", message: "Some fields are invalid", fields: fieldErrorsFromZod(error) },
      requestId,
    );
  }
  // A cluster failure that no caller named: still an upstream problem, not ours.
  if (isClusterCallError(error)) return handleApiError(clusterFailure(null, error), requestId);
  // A bug. Log the type and stack for operators; the client learns only the request id.
  const err = error instanceof Error ? error : new Error(String(error));
  logger.error(
    { requestId, errorName: err.name, stack: scrubSecrets(err.stack ?? err.message) },
    "unhandled error in request",
  );
  return errorResponse(
    500,
    { code: "internal", message: "Something went wrong. Quote the request id when reporting it." },
    requestId,
  );
}
