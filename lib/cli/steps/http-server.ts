import { createServer } from "node:http";
import next from "next";
import { stampConnectionFacts } from "@/lib/server/http/connection-facts";

interface Options {
  dev: boolean;
  host: string;
  port: number;
  trustProxy: boolean;
}

/**
 * Serves Next.js and stamps each request with facts only the socket knows (client address,
 * http or https). Incoming copies of those headers are always overwritten, so they cannot
 * be forged; X-Forwarded-* is honoured only with ARCHIPELAGO_TRUST_PROXY.
 */
export async function startHttpServer(options: Options): Promise<{ close(): Promise<void> }> {
  const app = next({ dev: options.dev, hostname: options.host, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = createServer((request, response) => {
    stampConnectionFacts(request, options.trustProxy);
    void handle(request, response);
  });
  // Idle keep-alive connections live longer than clients' and proxies' usual 60 s, so a
  // client never reuses a socket the server is closing at that instant.
  server.keepAliveTimeout = 65_000;
  // Slow-loris guard: a client must send its headers promptly (Node requires this to
  // exceed keepAliveTimeout).
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Port ${options.port} on ${options.host} is in use; set PORT to another port.`)
          : error,
      ),
    );
    server.listen(options.port, options.host, resolve);
  });

  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after 10 s are cut; the process is going away anyway.
        setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, 10_000).unref();
      }),
  };
}
