import "server-only";
import pg from "pg";
import { reloadKeyring } from "@/lib/server/crypto/master-keyring";
import { logger } from "@/lib/server/log/logger";
import { db } from "./client";

/**
 * Postgres carries the word that the master keyring changed, so every instance on the
 * database (the embedded default's one server, or several on an external database) reads its
 * key source again at once rather than when it next meets an unknown key id or notices the
 * key file changed. The payload is the new current key's id (a fingerprint, never key
 * material); an instance whose own source lacks that key says so in its log, because it will
 * not open what the others seal from now on (its key file or variables were not updated).
 */
const CHANNEL = "archipelago_keyring";

/** Called by `keys:rotate` after each change of the keyring. */
export async function announceKeyringChange(currentKeyId: string): Promise<void> {
  await db().$executeRaw`SELECT pg_notify(${CHANNEL}, ${currentKeyId})`;
}

export interface KeyringListener {
  stop(): Promise<void>;
}

function onAnnouncement(keyId: string | undefined): void {
  const ring = reloadKeyring(`keys:rotate announced key ${keyId ?? "(none)"}`);
  if (keyId && !ring.all.some((key) => key.id === keyId))
    logger.error(
      { announcedKeyId: keyId, keyIds: ring.all.map((key) => key.id) },
      "a master-key rotation made a key current that this instance does not have: give every instance the same key file or variables",
    );
}

/** One dedicated connection that LISTENs, connecting again a second after it drops. */
export function listenForKeyringChanges(databaseUrl: string): KeyringListener {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const schedule = (delayMs: number) => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delayMs);
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl });
    client = next;
    const dropped = () => {
      if (client !== next) return;
      client = null;
      void next.end().catch(() => undefined);
      schedule(1000);
    };
    next.on("notification", (message) => {
      if (message.channel === CHANNEL) onAnnouncement(message.payload);
    });
    next.on("error", dropped);
    next.on("end", dropped);
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      // A rotation announced while no connection listened is caught by reading the source now.
      reloadKeyring("listening for master-key rotations");
    } catch (error) {
      logger.warn({ problem: (error as Error).message }, "could not listen for master-key rotations; retrying");
      dropped();
    }
  };

  void connect();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
