import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

function createClient() {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    // The start script sets DATABASE_URL (embedded or external) before anything else runs.
    throw new Error("DATABASE_URL is not set: start Archipelago through `npm start`");
  }
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max: 10 }),
    // Secrets are opt-in per query, so a forgotten `select` cannot leak them.
    omit: {
      user: { passwordHash: true },
      cluster: { credentialEnvelope: true },
      apiToken: { tokenHash: true },
      ssoProvider: { clientSecretEnvelope: true },
      ssoLoginAttempt: { sealed: true },
      secretParam: { envelope: true },
      notificationSubscription: { secretEnvelope: true },
    },
  });
}

type Db = ReturnType<typeof createClient>;

const globalForDb = globalThis as unknown as { archipelagoDb?: Db };

/** The one Prisma client of this process (shared by Next's bundles and the start script). */
export function db(): Db {
  globalForDb.archipelagoDb ??= createClient();
  return globalForDb.archipelagoDb;
}

export async function disconnectDb(): Promise<void> {
  const client = globalForDb.archipelagoDb;
  globalForDb.archipelagoDb = undefined;
  await client?.$disconnect();
}
