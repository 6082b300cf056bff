import "server-only";
import { setupBodySchema, type SetupBody } from "@/lib/schemas/auth";

/**
 * Reads ARCHIPELAGO_ADMIN_EMAIL / ARCHIPELAGO_ADMIN_PASSWORD. Checked by the start script
 * before anything starts (so a bad value stops start-up naming the variable); the admin
 * itself is created later by the server runtime if no user exists.
 */
export function adminFromEnv(vars: { email?: string; password?: string }): SetupBody | null {
  if (!vars.email && !vars.password) return null;
  if (!vars.email || !vars.password)
    throw new Error("Set both ARCHIPELAGO_ADMIN_EMAIL and ARCHIPELAGO_ADMIN_PASSWORD, or neither.");
  const parsed = setupBodySchema.safeParse({ email: vars.email, name: "Administrator", password: vars.password });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) =>
        `${issue.path[0] === "email" ? "ARCHIPELAGO_ADMIN_EMAIL" : "ARCHIPELAGO_ADMIN_PASSWORD"}: ${issue.message}`,
    );
    throw new Error(`Invalid first-admin configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}
