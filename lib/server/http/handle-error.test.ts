import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError, rateLimited } from "@/lib/server/errors/app-error";
import { logger } from "@/lib/server/log/logger";
import { handleApiError } from "./handle-error";

afterEach(() => vi.restoreAllMocks());

describe("handleApiError", () => {
  it("answers an AppError with its status, code, fields and headers", async () => {
    const response = handleApiError(rateLimited(42), "req-12345678");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(response.headers.get("x-request-id")).toBe("req-12345678");
    expect((await response.json()).error).toMatchObject({ code: "rate_limited", requestId: "req-12345678" });
  });

  it("answers a ZodError with 400 and the failing field paths", async () => {
    const parsed = z.object({ spec: z.object({ replicas: z.number() }) }).safeParse({ spec: { replicas: "x" } });
    const response = handleApiError(parsed.error, "req-12345678");
    expect(response.status).toBe(400);
    expect(Object.keys((await response.json()).error.fields)).toEqual(["spec.replicas"]);
  });

  it("answers anything else with a generic 500 and logs it without the secret", async () => {
    const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const response = handleApiError(new Error("connect postgresql://app:hunter2@db/x refused"), "req-12345678");
    const body = await response.json();
    expect(response.status).toBe(500);
    expect(JSON.stringify(body)).not.toContain("hunter2");
    expect(body.error.message).not.toContain("postgresql");
    expect(logged).toHaveBeenCalledOnce();
    expect(JSON.stringify(logged.mock.calls[0])).not.toContain("hunter2");
  });

  it("does not mistake a plain Error for an AppError", () => {
    expect(new AppError(404, "not_found", "x")).toBeInstanceOf(Error);
    vi.spyOn(logger, "error").mockImplementation(() => undefined);
    expect(handleApiError(new TypeError("boom"), "req-12345678").status).toBe(500);
  });
});
