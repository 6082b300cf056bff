import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/lib/server/config/env";
import { sendWebhook } from "./send";

let server: http.Server;
let url: string;
const seen: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      seen.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(request.url === "/fail" ? 503 : 202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("sendWebhook", () => {
  const secret = Buffer.from("whsec_test");

  it("posts the body signed over the timestamp and body, and reports the answer", async () => {
    const outcome = await sendWebhook(`${url}/ok`, '{"a":1}', secret);
    expect(outcome).toMatchObject({ ok: true, statusCode: 202, error: null });
    const got = seen.at(-1)!;
    const timestamp = String(got.headers["x-archipelago-timestamp"]);
    expect(got.body).toBe('{"a":1}');
    expect(got.headers["x-archipelago-signature"]).toBe(
      `v1=${createHmac("sha256", secret).update(`${timestamp}.{"a":1}`).digest("hex")}`,
    );
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(5);
  });

  it("reports a refusal by status, and a closed port as connection refused", async () => {
    expect(await sendWebhook(`${url}/fail`, "{}", secret)).toMatchObject({ ok: false, statusCode: 503 });
    expect(await sendWebhook("http://127.0.0.1:9/", "{}", secret)).toMatchObject({
      ok: false,
      statusCode: null,
      error: "Connection refused",
    });
  });

  it("refuses link-local, metadata and the app's own address literals at send time, without connecting", async () => {
    const before = seen.length;
    for (const target of [
      "http://169.254.169.254/latest",
      "http://[fe80::1]/",
      "http://[::ffff:169.254.169.254]/",
      `http://127.0.0.1:${env().PORT}/api/v1/setup`,
    ]) {
      const outcome = await sendWebhook(target, "{}", secret);
      expect(outcome.ok, target).toBe(false);
      expect(outcome.error, target).toMatch(/^Webhook address is refused/);
    }
    expect(seen.length).toBe(before);
  });
});
