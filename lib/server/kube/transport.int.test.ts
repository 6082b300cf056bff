import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeCluster } from "./probe";
import { ClusterTransport } from "./transport";

// A hostile "cluster": a real HTTPS server that redirects and puts a canary in every answer.
const CANARY = "remote-canary-7f3a";
let server: https.Server;
let url: string;
let ca: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "archipelago-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      path.join(dir, "key.pem"),
      "-out",
      path.join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  ca = readFileSync(path.join(dir, "cert.pem"), "utf8");
  let requests = 0;
  server = https.createServer({ key: readFileSync(path.join(dir, "key.pem")), cert: ca }, (request, response) => {
    requests += 1;
    if (request.url?.startsWith("/version")) {
      response.writeHead(302, { location: `https://169.254.169.254/${CANARY}`, "content-type": "text/plain" });
      response.end(`moved ${CANARY}`);
    } else {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ message: CANARY, requests }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const transportTo = (server: string) =>
  new ClusterTransport(
    {
      clusterId: "t",
      revision: 1,
      server,
      caData: ca,
      insecureSkipTlsVerify: false,
      tlsServerName: null,
      credential: { type: "token", token: "t" },
    },
    2000,
  );

describe("cluster transport", () => {
  it("does not follow redirects and does not echo what the server said", async () => {
    const transport = transportTo(url);
    const result = await probeCluster(transport);
    transport.destroy();
    expect(result).toMatchObject({ ok: false, error: { code: "redirect_refused" } });
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  it("maps server errors to a status code without the body", async () => {
    const transport = transportTo(url);
    await expect(transport.json({ method: "GET", path: "/api" })).rejects.toMatchObject({
      code: "server_error",
      message: "The API server failed (HTTP 500)",
    });
    await expect(transport.json({ method: "GET", path: "/api" })).rejects.not.toThrow(CANARY);
    transport.destroy();
  });

  it("keeps connections alive: one pool per cluster, reused across requests", async () => {
    const transport = transportTo(url);
    const sockets = new Set<unknown>();
    server.on("connection", (socket) => sockets.add(socket));
    for (let i = 0; i < 5; i += 1) await transport.request({ method: "GET", path: "/api" });
    server.removeAllListeners("connection");
    expect(sockets.size).toBe(1);
    transport.destroy();
  });

  it("refuses metadata and link-local addresses before connecting", async () => {
    for (const target of [
      "https://169.254.169.254",
      "https://[fe80::1]",
      "https://[fd00:ec2::254]",
      "https://[::ffff:169.254.169.254]",
    ]) {
      const transport = transportTo(target);
      await expect(transport.request({ method: "GET", path: "/version" })).rejects.toMatchObject({
        code: "blocked_address",
      });
      transport.destroy();
    }
  });
});
