import { readFileSync } from "node:fs";
import pg from "pg";
import { E2E_DATABASE_URL_FILE } from "./paths";

/** Direct SQL on the app's database, for arranging states a browser cannot (e.g. an aged session). */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: readFileSync(E2E_DATABASE_URL_FILE, "utf8").trim() });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Ages one session (found by its cookie value, stored as SHA-256) as time would. */
export async function ageSession(token: string, how: "expired" | "idle"): Promise<void> {
  const change =
    how === "expired" ? "expires_at = now() - interval '1 second'" : "last_seen_at = now() - interval '2 hours'";
  const rows = await sql(
    `UPDATE sessions SET ${change} WHERE id = encode(sha256(convert_to($1, 'UTF8')), 'hex') RETURNING id`,
    [token],
  );
  if (rows.length !== 1) throw new Error("session to age was not found");
}
