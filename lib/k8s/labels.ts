/**
 * Kubernetes label syntax (apimachinery validation): keys are an optional DNS-subdomain
 * prefix and a name of at most 63 characters; values are at most 63 characters. Shared by
 * the browser (inline validation) and the server.
 */

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function labelKeyProblem(key: string): string | null {
  if (key.length === 0) return "label key must not be empty";
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== null) {
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return `label key prefix "${prefix}" must be a DNS subdomain (lower-case, at most 253 characters)`;
    }
  }
  if (name.length === 0 || name.length > 63) return `label key name "${name}" must be 1-63 characters`;
  if (!NAME.test(name)) {
    return `label key name "${name}" must start and end with a letter or digit and contain only letters, digits, '-', '_' or '.'`;
  }
  return null;
}

export function labelValueProblem(value: string): string | null {
  if (value.length === 0) return null;
  if (value.length > 63) return `label value "${value.slice(0, 20)}…" must be at most 63 characters`;
  if (!NAME.test(value)) {
    return `label value "${value}" must start and end with a letter or digit and contain only letters, digits, '-', '_' or '.'`;
  }
  return null;
}

export type Labels = Record<string, string>;
