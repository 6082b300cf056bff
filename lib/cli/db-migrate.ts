/** `npm run db:migrate`: apply pending migrations (to DATABASE_URL, or the embedded database). */
async function main(): Promise<void> {
  const { openDatabase } = await import("@/lib/server/runtime/database");
  const database = await openDatabase();
  await database.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
export {};
