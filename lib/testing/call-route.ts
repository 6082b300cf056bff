import { NextRequest } from "next/server";

type Handler = (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** Calls a real route handler the way Next.js would, with a session cookie or bearer token. */
export async function callRoute(
  handler: Handler,
  input: {
    method?: string;
    path: string;
    params?: Record<string, string>;
    body?: unknown;
    session?: string;
    bearer?: string;
  },
): Promise<{ status: number; body: unknown }> {
  const headers = new Headers({
    origin: "http://localhost:3000",
    host: "localhost:3000",
    "x-archipelago-client-ip": "127.0.0.1",
    "x-archipelago-proto": "http",
  });
  if (input.session) headers.set("cookie", `archipelago_session=${input.session}`);
  if (input.bearer) headers.set("authorization", `Bearer ${input.bearer}`);
  if (input.body !== undefined) headers.set("content-type", "application/json");
  const request = new NextRequest(new URL(input.path, "http://localhost:3000"), {
    method: input.method ?? "GET",
    headers,
    body: input.body === undefined ? undefined : JSON.stringify(input.body),
  });
  const response = await handler(request, { params: Promise.resolve(input.params ?? {}) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}
