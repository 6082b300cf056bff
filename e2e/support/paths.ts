import path from "node:path";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3210);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
/** Everything the browser tests create lives here and is wiped at the start of each run. */
export const E2E_STATE_DIR = path.resolve(".e2e");
export const E2E_DATABASE_URL_FILE = path.join(E2E_STATE_DIR, "database-url");
export const E2E_SERVER_LOG = path.join(E2E_STATE_DIR, "server.log");
export const ADMIN = { name: "Ada Admin", email: "ada@example.com", password: "correct horse battery staple" };
