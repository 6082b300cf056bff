import "server-only";

/**
 * Text that comes from a cluster (API-server messages, field-manager names, event
 * messages) is an untrusted peer's words: it is kept only bounded, as one line without
 * control characters, so it cannot fill a column, forge a log line or carry a payload.
 * Written by hand: it is one regular expression and a cap, with no library that does less.
 */

export const REMOTE_MESSAGE_MAX = 200;
/** All causes of one rejected object together. */
export const REMOTE_ERROR_MAX = 500;
export const MANAGER_NAME_MAX = 64;
export const MAX_MANAGERS = 8;
export const MAX_CAUSES = 5;

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]+/g;

/** One line, control characters replaced by a space, at most `max` characters (an ellipsis marks a cut). */
export function boundRemoteText(text: unknown, max = REMOTE_MESSAGE_MAX): string {
  const line = (typeof text === "string" ? text : "").replace(CONTROL, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A field manager's name as shown and stored. */
export const boundManagerName = (name: unknown): string => boundRemoteText(name, MANAGER_NAME_MAX);

/** What is kept of one cause of a Kubernetes Status: a reason code, the field path and a bounded message. */
export interface RemoteCause {
  reason: string;
  field: string;
  message?: string;
}

const REASON = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/** Reads a Status body's causes, keeping only bounded parts; `withMessage` false drops the message (Secrets). */
export function statusCauses(body: Buffer, withMessage: boolean): RemoteCause[] {
  let status: unknown;
  try {
    status = JSON.parse(body.toString("utf8"));
  } catch {
    return [];
  }
  const causes = (status as { details?: { causes?: unknown } } | null)?.details?.causes;
  if (!Array.isArray(causes)) return [];
  return causes.slice(0, MAX_CAUSES).map((raw) => {
    const cause = (raw ?? {}) as { reason?: unknown; field?: unknown; message?: unknown };
    const reason = typeof cause.reason === "string" && REASON.test(cause.reason) ? cause.reason : "Invalid";
    const field = boundRemoteText(cause.field, 120) || "object";
    const message = withMessage ? boundRemoteText(cause.message) : "";
    return message ? { reason, field, message } : { reason, field };
  });
}
