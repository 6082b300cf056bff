import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's CLI reads this file. The app itself never uses the CLI at runtime:
// migrations are applied by lib/server/db/migrate.ts (see README).
export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/archipelago" },
});
