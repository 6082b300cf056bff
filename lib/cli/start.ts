/**
 * `npm start`: build if needed, open the database (embedded unless DATABASE_URL is set),
 * migrate, then serve Next.js. Background work (health checks, rollout workers, drift
 * checks, the first admin from the environment) starts inside the server bundle from
 * instrumentation.ts. A custom server (rather than `next start`) because only the socket
 * knows the client address, which sign-in throttling needs, and because the embedded
 * database must live and die with this process. This file loads no database client: the
 * server bundle has the only one.
 */
import { ensureNextBuild } from "./steps/next-build";
import { ensurePrismaClient } from "./steps/prisma-client";

const dev = process.argv.includes("--dev");

async function main(): Promise<void> {
  if (!dev) (process.env as Record<string, string | undefined>).NODE_ENV ??= "production";
  ensurePrismaClient();
  if (!dev) ensureNextBuild();
  // tsx turns on Node's source-map support for the whole process, which makes Node parse
  // and keep the source map (with every original source) of each module it loads: about
  // 80 MiB for the server bundle and its libraries. Production stack traces do not need it.
  if (!dev) process.setSourceMapsEnabled(false);

  const { env } = await import("@/lib/server/config/env");
  const { adminFromEnv } = await import("@/lib/server/auth/admin-env");
  const { parseEnvProviders } = await import("@/lib/server/sso/env-providers");
  const { openDatabase } = await import("@/lib/server/runtime/database");
  const { logger } = await import("@/lib/server/log/logger");
  const { keyring } = await import("@/lib/server/crypto/master-keyring");
  const { protectOwnEndpoints } = await import("@/lib/server/kube/protected-endpoints");
  const { stopServerBackground } = await import("@/lib/server/runtime/shutdown-handles");
  const { startHttpServer } = await import("./steps/http-server");

  const config = env();
  // Refuse bad first-admin settings before anything starts.
  adminFromEnv({ email: config.ARCHIPELAGO_ADMIN_EMAIL, password: config.ARCHIPELAGO_ADMIN_PASSWORD });
  // And bad single sign-on providers (the message names the entry and field, never the secret).
  parseEnvProviders(config.ARCHIPELAGO_SSO_PROVIDERS);
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;

  // Fail now, not at the first cluster call, if the master key is missing or malformed.
  const keys = keyring();
  if (keys.source.kind === "file" && keys.source.generated) {
    logger.warn(
      { keyFile: keys.source.path },
      "generated a master key for the embedded database; production should supply ARCHIPELAGO_MASTER_KEY or ARCHIPELAGO_MASTER_KEY_FILE and keep a backup",
    );
  }
  await protectOwnEndpoints({ databaseUrl: database.url, appPort: config.PORT });

  const server = await startHttpServer({
    dev,
    host: config.HOST,
    port: config.PORT,
    trustProxy: config.ARCHIPELAGO_TRUST_PROXY,
  });
  logger.info(
    {
      url: `http://${config.HOST === "0.0.0.0" || config.HOST === "127.0.0.1" ? "localhost" : config.HOST}:${config.PORT}`,
      embeddedDatabase: database.embedded,
    },
    "Archipelago is ready",
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await server.close();
    await stopServerBackground();
    await database.close();
    logger.info("stopped cleanly");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`\nArchipelago could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
