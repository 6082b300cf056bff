import { z } from "zod";
import { visibleName } from "./text";

/** Upper bound on passwords: argon2 cost is per byte, so unbounded input is a DoS lever. */
export const PASSWORD_MAX_LENGTH = 256;
export const PASSWORD_MIN_LENGTH = 12;

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .min(1, "Email is required")
  .max(254, "Email must be at most 254 characters")
  .pipe(z.email("Enter a valid email address"))
  .transform((email) => email.toLowerCase());

export const signInBodySchema = z.object({
  email: emailSchema,
  // No policy hints at sign-in: only presence and the DoS bound.
  password: z
    .string({ error: "Password is required" })
    .min(1, "Password is required")
    .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters`),
});
export type SignInBody = z.infer<typeof signInBodySchema>;

export const newPasswordSchema = z
  .string({ error: "Password is required" })
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters`);

export const displayNameSchema = visibleName(
  z
    .string({ error: "Name is required" })
    .trim()
    .min(1, "Name is required")
    .max(100, "Name must be at most 100 characters"),
);

export const setupBodySchema = z.object({
  email: emailSchema,
  name: displayNameSchema,
  password: newPasswordSchema,
});
export type SetupBody = z.infer<typeof setupBodySchema>;
