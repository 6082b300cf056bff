import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/server/errors/app-error";
import { readJsonBody } from "./read-json";

const request = (body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }) =>
  new Request("http://localhost/api", { method: "POST", body, headers, duplex: "half" } as RequestInit);

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("readJsonBody", () => {
  it("parses a JSON object", async () => {
    await expect(readJsonBody(request('{"a":1}'), 100)).resolves.toEqual({ a: 1 });
  });

  it("accepts a charset parameter", async () => {
    await expect(
      readJsonBody(request("[]", { "content-type": "application/json; charset=utf-8" }), 100),
    ).resolves.toEqual([]);
  });

  it("refuses other content types with 415", async () => {
    expect((await errorOf(readJsonBody(request("{}", { "content-type": "text/plain" }), 100))).status).toBe(415);
  });

  it("refuses malformed and empty bodies with 400", async () => {
    expect((await errorOf(readJsonBody(request("{oops"), 100))).code).toBe("malformed_json");
    expect((await errorOf(readJsonBody(request(""), 100))).code).toBe("malformed_json");
  });

  it("refuses bodies over the limit by Content-Length", async () => {
    const error = await errorOf(
      readJsonBody(request("{}", { "content-type": "application/json", "content-length": "5000" }), 100),
    );
    expect(error.status).toBe(413);
  });

  it("refuses streamed bodies over the limit even without Content-Length", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i += 1) controller.enqueue(new TextEncoder().encode(`"${"x".repeat(50)}",`));
        controller.close();
      },
    });
    expect((await errorOf(readJsonBody(request(stream), 100))).status).toBe(413);
  });
});
