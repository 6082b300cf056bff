import "server-only";
import path from "node:path";
import { z } from "zod";

const booleanFromString = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Every environment variable Archipelago reads, validated once at start-up.
 * The README's configuration table mirrors this schema.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  /** External Postgres. Unset: an embedded Postgres is started under the data dir. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** The schema owner, for migrations (and the app role's grants); the app then connects as DATABASE_URL. */
  ARCHIPELAGO_MIGRATION_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  ARCHIPELAGO_DATA_DIR: z.string().min(1).default(".data"),
  ARCHIPELAGO_EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Honour X-Forwarded-For / X-Forwarded-Proto / X-Forwarded-Host from a reverse proxy. */
  ARCHIPELAGO_TRUST_PROXY: booleanFromString.default(false),
  ARCHIPELAGO_ADMIN_EMAIL: z.string().optional(),
  ARCHIPELAGO_ADMIN_PASSWORD: z.string().optional(),
  ARCHIPELAGO_SESSION_IDLE_MINUTES: positiveInt(60),
  ARCHIPELAGO_SESSION_MAX_HOURS: positiveInt(12),
  /** Failed sign-ins allowed per (account, client address) within the throttle window. */
  ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS: positiveInt(5),
  /** Failed sign-ins allowed per account from all addresses; over it, only addresses that failed on it are refused. */
  ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(50),
  /** Failed sign-ins allowed per client address over all accounts (far above one person's mistakes). */
  ARCHIPELAGO_SIGNIN_MAX_FAILURES_PER_ADDRESS: positiveInt(200),
  ARCHIPELAGO_SIGNIN_WINDOW_SECONDS: positiveInt(900),
  /** Over the per-account limit, attempts on the account wait 1, 2, 4 … seconds, from any address, up to this. */
  ARCHIPELAGO_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS: positiveInt(60),
  /** Largest JSON body accepted by the API, in bytes. */
  ARCHIPELAGO_MAX_BODY_BYTES: positiveInt(1_048_576),
  /** Current master key (base64, 32 bytes) wrapping credential data keys. */
  ARCHIPELAGO_MASTER_KEY: z.string().optional(),
  /** Older master keys, comma-separated, still accepted for decryption (during rotation). */
  ARCHIPELAGO_MASTER_KEY_PREVIOUS: z.string().optional(),
  /** File with one base64 key per line, current first. */
  ARCHIPELAGO_MASTER_KEY_FILE: z.string().optional(),
  /** Seconds between background health checks of every cluster. */
  ARCHIPELAGO_HEALTH_INTERVAL_SECONDS: z.coerce.number().int().min(2).max(3600).default(15),
  /** Clusters checked at the same time. */
  ARCHIPELAGO_HEALTH_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** Rollout targets (clusters) one instance works on at the same time; more queue for any instance. */
  ARCHIPELAGO_ROLLOUT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(100),
  /** Most clusters one rollout (or preview) may target; more is refused with the number, before any work. */
  ARCHIPELAGO_MAX_ROLLOUT_TARGETS: z.coerce.number().int().min(1).max(100_000).default(2000),
  /** Per-cluster timeout for API calls made on a user's behalf and for health checks. */
  ARCHIPELAGO_CLUSTER_TIMEOUT_MS: z.coerce.number().int().min(200).max(120_000).default(5000),
  /** How long an approval of a rollout's change counts (minutes); older approvals must be given again. */
  ARCHIPELAGO_APPROVAL_TTL_MINUTES: z.coerce.number().int().min(1).max(43_200).default(1440),
  /** When releases are checked for drift (cron, via the job queue's scheduler; minute granularity). */
  ARCHIPELAGO_DRIFT_CRON: z.string().min(9).default("* * * * *"),
  /** Public base URL (https://archipelago.example.com): the SSO redirect URI is built from it. Unset: from the request. */
  ARCHIPELAGO_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * API tokens of a single sign-on user work only while the user signed in through the provider
   * within this many hours: their groups are read at sign-in, so this bounds how long a person
   * who left (and never signs in again) keeps access through tokens.
   */
  ARCHIPELAGO_SSO_TOKEN_MAX_SYNC_AGE_HOURS: positiveInt(24),
  /** Providers as JSON (see README, Single sign-on); they are then read-only in the UI. */
  ARCHIPELAGO_SSO_PROVIDERS: z.string().optional(),
  /** Password sign-in for everyone (true) or only for the break-glass admins (false); set: locks the UI switch. */
  ARCHIPELAGO_PASSWORD_SIGNIN: booleanFromString.optional(),
  /** Local admins (comma-separated emails) who may always sign in with a password; set: locks the UI list. */
  ARCHIPELAGO_BREAK_GLASS_ADMINS: z.string().optional(),
  /**
   * Bearer token a Prometheus scrape of GET /metrics must present (32-512 visible ASCII characters).
   * Unset or empty: /metrics answers 404. It is an operator credential: it sees every cluster's id,
   * name and state (README, "Operating it").
   */
  ARCHIPELAGO_METRICS_TOKEN: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string()
      .regex(/^[\x21-\x7e]{32,512}$/, "must be 32 to 512 visible ASCII characters (no spaces)")
      .optional(),
  ),
  /** How long the change timeline keeps an entry and the fleet index a tombstone (hours); older ones are purged by the periodic maintenance. */
  ARCHIPELAGO_TIMELINE_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 366)
    .default(72),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

/** Parses process.env once; a bad value stops start-up with the variable's name. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  cached = parsed.data;
  return cached;
}

/** Test seam: forget the parsed configuration after changing process.env. */
export function resetEnvForTests(): void {
  cached = undefined;
}

export function dataDir(): string {
  return path.resolve(env().ARCHIPELAGO_DATA_DIR);
}
