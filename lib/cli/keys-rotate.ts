/** `npm run keys:rotate`: re-wrap every stored credential under a new master key (see README). */
async function main(): Promise<void> {
  const { openDatabaseForTool } = await import("@/lib/server/runtime/database");
  const { rotateMasterKey } = await import("@/lib/server/clusters/rotate-keys");
  const database = await openDatabaseForTool();
  process.env.DATABASE_URL = database.ownerUrl;
  try {
    const report = await rotateMasterKey();
    if (report.underRetiredKeys > 0) {
      // Never drop a key a record still needs: the old keys stay in the keyring.
      console.error(
        `Master key rotation not finished: ${report.underRetiredKeys} sealed record(s) are still under an old key ` +
          `(${report.retiredKeyIds.join(", ")}), so the old keys were kept. An instance may still be sealing with an old key; ` +
          "run keys:rotate again to finish.",
      );
      process.exitCode = 1;
      return;
    }
    console.log(
      `Master key rotation complete: current key ${report.newKeyId}; ${report.rewrapped} record(s) re-wrapped (credentials, sealed keys, secret parameters), ` +
        `${report.alreadyCurrent} already current.` +
        (report.retiredKeyIds.length
          ? ` Retired key(s), kept to open only until the next rotation: ${report.retiredKeyIds.join(", ")}.`
          : "") +
        (report.droppedKeyIds.length ? ` Dropped key(s): ${report.droppedKeyIds.join(", ")}.` : ""),
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
