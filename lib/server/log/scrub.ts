import "server-only";

const PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, "[redacted pem]"],
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [redacted]"],
  [/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, "$1[redacted]@"],
  [/\b(password|passwd|token|secret|client[-_]?key)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, "$1$2[redacted]"],
];

/**
 * Last line of defence for free text that reaches a log (error messages, stacks): removes
 * anything shaped like a key, token or connection password. Code must still avoid putting
 * secrets into errors; this catches what a dependency might.
 */
export function scrubSecrets(text: string): string {
  return PATTERNS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}
