import "server-only";
import { AppError } from "@/lib/server/errors/app-error";

/**
 * Reads a JSON body with a hard byte limit. Content-Length is checked first, and the
 * stream is counted too, because chunked requests have no Content-Length.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new AppError(415, "unsupported_media_type", "Send the body as application/json");
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);

  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new AppError(400, "malformed_json", "The request body is empty; send a JSON object");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError(400, "malformed_json", "The request body is not valid JSON");
  }
}

const tooLarge = (maxBytes: number) =>
  new AppError(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes`);
