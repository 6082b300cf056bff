import "server-only";
import pino from "pino";

/**
 * Structured JSON logs on stdout. Redaction is a second line of defence: code must
 * not log credentials in the first place, but if an object carrying one slips into
 * a log call, these paths are censored.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: "archipelago" },
  redact: {
    paths: [
      "password",
      "*.password",
      "passwordHash",
      "*.passwordHash",
      "token",
      "*.token",
      "authorization",
      "*.authorization",
      "cookie",
      "*.cookie",
      "headers.cookie",
      "headers.authorization",
      "req.headers.cookie",
      "req.headers.authorization",
      "clientKey",
      "*.clientKey",
      "secret",
      "*.secret",
    ],
    censor: "[redacted]",
  },
});

export type Logger = typeof logger;
