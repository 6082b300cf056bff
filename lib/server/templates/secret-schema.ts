import "server-only";
import type { FieldErrors } from "@/lib/server/errors/app-error";

/**
 * Which template parameters are secret, read from the parameter schema: a string with
 * `writeOnly: true` or `format: "password"` is a sealed secret parameter; an object with
 * `format: "secret-reference"` names a Secret on a source cluster that is read at apply time.
 * Paths are dotted property names (`db.password`); arrays never hold secrets (the form could
 * not say which element was kept).
 */

export const SECRET_REFERENCE_FORMAT = "secret-reference";
/** Kubernetes refuses a Secret larger than 1 MiB; a single value cannot be larger. */
export const SECRET_VALUE_MAX_BYTES = 1024 * 1024;

type SchemaNode = Record<string, unknown>;

const asNode = (value: unknown): SchemaNode | null =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as SchemaNode) : null;

export const isSealedSecretSchema = (node: SchemaNode) =>
  node.format !== SECRET_REFERENCE_FORMAT && (node.writeOnly === true || node.format === "password");
export const isSecretReferenceSchema = (node: SchemaNode) => node.format === SECRET_REFERENCE_FORMAT;

export interface SecretParamSpec {
  path: string;
  kind: "sealed" | "reference";
  required: boolean;
  /** `contentEncoding: "base64"`: the value must be valid base64 (binary data). */
  base64: boolean;
}

/** Every secret parameter of a schema, with its dotted path. */
export function secretParamSpecs(schema: unknown): SecretParamSpec[] {
  const specs: SecretParamSpec[] = [];
  const walk = (node: SchemaNode, prefix: string) => {
    const properties = asNode(node.properties);
    if (!properties) return;
    const required = new Set(Array.isArray(node.required) ? (node.required as unknown[]).map(String) : []);
    for (const [name, raw] of Object.entries(properties)) {
      const child = asNode(raw);
      if (!child) continue;
      const path = prefix ? `${prefix}.${name}` : name;
      if (isSealedSecretSchema(child) || isSecretReferenceSchema(child))
        specs.push({
          path,
          kind: isSecretReferenceSchema(child) ? "reference" : "sealed",
          required: required.has(name),
          base64: child.contentEncoding === "base64",
        });
      else walk(child, path);
    }
  };
  const root = asNode(schema);
  if (root) walk(root, "");
  return specs;
}

/** Lint: a secret parameter may not have a default (defaults are stored in plain with the template). */
export function secretSchemaProblems(schema: unknown, path = "schema"): FieldErrors {
  const problems: FieldErrors = {};
  const walk = (node: SchemaNode, at: string, inArray: boolean) => {
    const secret = isSealedSecretSchema(node) || isSecretReferenceSchema(node);
    if (secret && "default" in node)
      (problems[at] ??= []).push(
        "a secret parameter cannot have a default: defaults are stored in plain text with the template",
      );
    if (secret && inArray)
      (problems[at] ??= []).push("a secret parameter cannot be inside an array; use an object property");
    if (secret && isSealedSecretSchema(node) && node.type !== "string")
      (problems[at] ??= []).push('a secret parameter must be { "type": "string" }');
    if (isSecretReferenceSchema(node) && node.type !== "object")
      (problems[at] ??= []).push('a secret reference must be { "type": "object", "format": "secret-reference" }');
    const properties = asNode(node.properties);
    if (properties && !isSecretReferenceSchema(node))
      for (const [name, child] of Object.entries(properties)) {
        const childNode = asNode(child);
        if (childNode) walk(childNode, `${at}.properties.${name}`, inArray);
      }
    const items = asNode(node.items);
    if (items) walk(items, `${at}.items`, true);
  };
  const root = asNode(schema);
  if (root) walk(root, path, false);
  return problems;
}

/** Reads a dotted path from a parameters object. */
export function getPath(params: Record<string, unknown>, path: string): unknown {
  let node: unknown = params;
  for (const part of path.split(".")) {
    const record = asNode(node);
    if (!record || !Object.hasOwn(record, part)) return undefined;
    node = record[part];
  }
  return node;
}

/** A copy of `params` with `value` at the dotted path (objects on the way are copied, created when missing). */
export function setPath(params: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  const copy = { ...params };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head!];
    else copy[head!] = value;
    return copy;
  }
  copy[head!] = setPath(asNode(copy[head!]) ?? {}, rest.join("."), value);
  return copy;
}

/** The schema without the given paths (removed from `properties` and `required`): validates the rest. */
export function schemaWithout(schema: object, paths: string[]): object {
  let copy = structuredClone(schema) as SchemaNode;
  for (const path of paths) copy = removePath(copy, path.split("."));
  return copy;
}

function removePath(node: SchemaNode, parts: string[]): SchemaNode {
  const [head, ...rest] = parts;
  const properties = asNode(node.properties);
  if (!properties || !head || !asNode(properties[head])) return node;
  if (rest.length === 0) {
    const { [head]: _removed, ...others } = properties;
    const required = Array.isArray(node.required) ? (node.required as unknown[]).filter((r) => r !== head) : undefined;
    return { ...node, properties: others, ...(required ? { required } : {}) };
  }
  return { ...node, properties: { ...properties, [head]: removePath(asNode(properties[head])!, rest) } };
}

/** What a secret reference renders as: its keys, each with the source's base64 value. */
export type ReferencedData = Record<string, string>;

/** Stand-ins for secret parameters when a template is rendered without values (lint against a sample cluster). */
export function withSecretSamples(schema: unknown, params: Record<string, unknown>): Record<string, unknown> {
  let result = params;
  for (const spec of secretParamSpecs(schema)) {
    const sample: unknown =
      spec.kind === "reference"
        ? ({ sample: "c2FtcGxl" } satisfies ReferencedData)
        : spec.base64
          ? "c2FtcGxl"
          : "sample";
    result = setPath(result, spec.path, sample);
  }
  return result;
}
