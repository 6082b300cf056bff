/**
 * Namespace patterns in grants: a namespace name, or a glob where `*` matches any run of
 * characters and `?` one character (`payments-*`, `*-prod`, `*`). Namespace names are DNS
 * labels, so no other glob syntax is needed; a ten-line matcher avoids pulling in a glob
 * library whose extra syntax (braces, extglobs) would only widen what a grant can mean.
 */

const PATTERN = /^[a-z0-9*?]([-a-z0-9*?]{0,61}[a-z0-9*?])?$/;

export function namespacePatternProblem(pattern: string): string | null {
  if (!PATTERN.test(pattern)) {
    return `"${pattern}" is not a namespace name or glob: use lower-case letters, digits, '-', '*' and '?' (at most 63 characters)`;
  }
  return null;
}

const cache = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let compiled = cache.get(pattern);
  if (!compiled) {
    const body = pattern.replace(/[-]/g, "\\-").replace(/\*/g, ".*").replace(/\?/g, ".");
    compiled = new RegExp(`^${body}$`);
    cache.set(pattern, compiled);
  }
  return compiled;
}

export function namespaceMatches(pattern: string, namespace: string): boolean {
  return toRegExp(pattern).test(namespace);
}

export function matchesAnyNamespace(patterns: readonly string[], namespace: string): boolean {
  return patterns.some((pattern) => namespaceMatches(pattern, namespace));
}
