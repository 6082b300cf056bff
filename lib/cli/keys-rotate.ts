/** `npm run keys:rotate`: re-wrap every stored credential under a new master key (see README). */
async function main(): Promise<void> {
  const { openDatabaseForTool } = await import("@/lib/server/runtime/database");
  const { rotateMasterKey } = await import("@/lib/server/clusters/rotate-keys");
  const database = await openDatabaseForTool();
  process.env.DATABASE_URL = database.ownerUrl;
  try {
    const report = await rotateMasterKey();
    console.log(
      `Master key rotation complete: current key ${report.newKeyId}; ${report.rewrapped} record(s) re-wrapped (credentials, sealed keys, secret parameters), ` +
        `${report.alreadyCurrent} already current.` +
        (report.retiredKeyIds.length ? ` Retired key(s): ${report.retiredKeyIds.join(", ")}.` : ""),
    );
    if (report.notCurrent > 0) {
      console.error(
        `${report.notCurrent} sealed record(s) are still under another key: an instance without the new key is sealing. ` +
          "Give every instance the same key file (or ARCHIPELAGO_MASTER_KEY), then run keys:rotate again.",
      );
      process.exitCode = 1;
    }
  } finally {
    const { disconnectDb } = await import("@/lib/server/db/client");
    await disconnectDb();
    await database.close();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`Key rotation failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
export {};
