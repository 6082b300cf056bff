import "server-only";
import type { z } from "zod";
import type { FieldErrors } from "@/lib/server/errors/app-error";

/** Flattens zod issues into `{ "path.to.field": ["message"] }`; root issues go under "_". */
export function fieldErrorsFromZod(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "_";
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}
