/**
 * `npm run audit:verify [-- --expect-head <hash>]`: checks the audit log's keyed hash chain.
 * Works while a server uses the embedded database. With --expect-head (a head hash printed
 * by an earlier run and kept elsewhere) it also checks that the row that was newest then is
 * still in the log, which catches rows removed from the end. Exit 1 on any problem.
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const expectIndex = args.indexOf("--expect-head");
  const expectedHead = expectIndex >= 0 ? args[expectIndex + 1] : undefined;
  if (expectIndex >= 0 && (!expectedHead || expectedHead.startsWith("--"))) {
    console.error("--expect-head needs the head hash printed by an earlier audit:verify");
    return 2;
  }
  const { openDatabaseForTool } = await import("@/lib/server/runtime/database");
  const { verifyAuditChain } = await import("@/lib/server/audit/verify");
  const { unfinishedStarts } = await import("@/lib/server/audit/unfinished");
  const { disconnectDb } = await import("@/lib/server/db/client");
  const database = await openDatabaseForTool();
  process.env.DATABASE_URL = database.ownerUrl;
  try {
    const report = await verifyAuditChain({ expectHead: expectedHead });
    for (const { id, problem } of report.problems) console.error(`row ${id}: ${problem}`);
    let failed = report.problems.length > 0;
    if (report.expectedHead && !report.expectedHead.found) {
      failed = true;
      console.error(
        `no row has the expected head hash ${expectedHead}: rows were removed from the end of the log, ` +
          "or the hash is not from this log",
      );
    } else if (report.expectedHead?.found) {
      console.log(
        report.expectedHead.rowsAfter === 0
          ? "the expected head is still the newest row"
          : `the expected head is present; ${report.expectedHead.rowsAfter} row(s) were written after it`,
      );
    }
    // Not a chain problem (nothing was edited), but an operator must know these outcomes are missing.
    const unfinished = await unfinishedStarts({ limit: 20 });
    if (unfinished.total > 0) {
      console.log(`${unfinished.total} mutation(s) started without a recorded outcome (newest first):`);
      for (const start of unfinished.newest)
        console.log(
          `  row ${start.id}: ${start.action} by ${start.actorEmail ?? "anonymous"} at ${start.at.toISOString()} (request ${start.requestId})`,
        );
    }
    console.log(`${report.rows} audit rows checked, ${report.problems.length} problem(s); head ${report.headHash}`);
    return failed ? 1 : 0;
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
