/**
 * Next.js calls register() once when the server starts. Background work (health checks,
 * rollout workers, drift checks, first-admin creation) starts here so it runs inside the
 * server bundle and shares its database client.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startBackground } = await import("@/lib/server/runtime/background");
  await startBackground();
}
