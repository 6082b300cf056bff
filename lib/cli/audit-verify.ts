/** `npm run audit:verify [-- --expect-head <hash>]`: checks the audit log's hash chain. Exit 1 on any problem. */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const expectIndex = args.indexOf("--expect-head");
  const expectedHead = expectIndex >= 0 ? args[expectIndex + 1] : undefined;
  const { openDatabase } = await import("@/lib/server/runtime/database");
  const { verifyAuditChain } = await import("@/lib/server/audit/verify");
  const { disconnectDb } = await import("@/lib/server/db/client");
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  try {
    const report = await verifyAuditChain();
    for (const { id, problem } of report.problems) console.error(`row ${id}: ${problem}`);
    if (expectedHead && expectedHead !== report.headHash) {
      console.error(
        `the newest row's hash is ${report.headHash}, expected ${expectedHead}: rows were removed from the end`,
      );
      return 1;
    }
    console.log(`${report.rows} audit rows checked, ${report.problems.length} problem(s); head ${report.headHash}`);
    return report.problems.length ? 1 : 0;
  } finally {
    await disconnectDb();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);

export {};
