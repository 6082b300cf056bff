import "server-only";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import type { FieldErrors } from "@/lib/server/errors/app-error";
import { SECRET_REFERENCE_FORMAT } from "./secret-schema";

/** "secret-reference" marks an object, which JSON Schema formats do not apply to: checked by its own zod schema. */
function forAjv(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forAjv);
  if (!schema || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === "format" && value === SECRET_REFERENCE_FORMAT))
      .map(([key, value]) => [key, key === "enum" || key === "default" ? value : forAjv(value)]),
  );
}

/** Our formats only mark secrets; values are checked by secret-params code, not by the format. */
function withFormats(ajv: Ajv): Ajv {
  for (const format of ALLOWED_FORMATS) ajv.addFormat(format, /[\s\S]*/);
  return ajv;
}

/**
 * Template parameters are described with a subset of JSON Schema that a form can be
 * generated from: string, number, integer, boolean, enum, object, array; required,
 * default, pattern, minimum/maximum, minLength/maxLength, minItems/maxItems, title,
 * description. Anything else is refused so the form and the validation never disagree.
 * Secret parameters (secret-schema.ts) add writeOnly, format ("password", "secret-reference")
 * and contentEncoding ("base64").
 */

const ALLOWED_KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "items",
  "enum",
  "default",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "title",
  "description",
  "additionalProperties",
  "writeOnly",
  "format",
  "contentEncoding",
  "$schema",
]);
const ALLOWED_FORMATS = new Set(["password", SECRET_REFERENCE_FORMAT]);
const ALLOWED_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array"]);

export function schemaProblems(schema: unknown, path = "schema"): FieldErrors {
  const problems: FieldErrors = {};
  const add = (at: string, message: string) => (problems[at] ??= []).push(message);
  const walk = (node: unknown, at: string) => {
    if (!node || typeof node !== "object" || Array.isArray(node)) return add(at, "must be an object");
    for (const [key, value] of Object.entries(node)) {
      if (!ALLOWED_KEYWORDS.has(key))
        add(
          at,
          `keyword "${key}" is not supported (allowed: ${[...ALLOWED_KEYWORDS].filter((k) => k !== "$schema").join(", ")})`,
        );
      if (key === "type" && (typeof value !== "string" || !ALLOWED_TYPES.has(value)))
        add(`${at}.type`, `type must be one of ${[...ALLOWED_TYPES].join(", ")}`);
      if (key === "properties") {
        if (!value || typeof value !== "object") add(`${at}.properties`, "properties must be an object");
        else for (const [name, child] of Object.entries(value)) walk(child, `${at}.properties.${name}`);
      }
      if (key === "items") walk(value, `${at}.items`);
      if (key === "format" && (typeof value !== "string" || !ALLOWED_FORMATS.has(value)))
        add(`${at}.format`, `format must be one of ${[...ALLOWED_FORMATS].join(", ")}`);
      if (key === "contentEncoding" && value !== "base64")
        add(`${at}.contentEncoding`, 'contentEncoding must be "base64"');
      if (key === "writeOnly" && typeof value !== "boolean") add(`${at}.writeOnly`, "writeOnly must be true or false");
      if (key === "pattern" && typeof value === "string") {
        try {
          new RegExp(value, "u");
        } catch {
          add(`${at}.pattern`, "pattern is not a valid regular expression");
        }
      }
    }
    const record = node as Record<string, unknown>;
    if (record.enum === undefined && record.type === undefined) add(at, "every schema needs a type or an enum");
  };
  walk(schema, path);
  const root = schema as Record<string, unknown> | null;
  if (root && typeof root === "object" && root.type !== "object")
    add(path, 'the top-level schema must be { "type": "object", ... }');
  if (Object.keys(problems).length === 0) {
    try {
      withFormats(new Ajv({ strict: true, allErrors: true })).compile(forAjv(schema) as object);
    } catch (error) {
      add(path, `schema does not compile: ${error instanceof Error ? error.message : "invalid"}`);
    }
  }
  return problems;
}

const cache = new Map<string, ValidateFunction>();

function compiled(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (!validate) {
    validate = withFormats(new Ajv({ allErrors: true, useDefaults: true, strict: false })).compile(
      forAjv(schema) as object,
    );
    if (cache.size > 200) cache.clear();
    cache.set(key, validate);
  }
  return validate;
}

function fieldOf(error: ErrorObject, prefix: string): string {
  const pointer = error.instancePath.split("/").filter(Boolean).join(".");
  const missing = error.keyword === "required" ? (error.params as { missingProperty: string }).missingProperty : null;
  return [prefix, pointer, missing].filter(Boolean).join(".");
}

/** Validates parameters (filling defaults) and names each bad field as `params.path`. */
export function validateParams(
  schema: object,
  params: unknown,
  prefix = "params",
): { ok: true; value: Record<string, unknown> } | { ok: false; errors: FieldErrors } {
  const value = structuredClone(params ?? {}) as Record<string, unknown>;
  const validate = compiled(schema);
  if (validate(value)) return { ok: true, value };
  const errors: FieldErrors = {};
  for (const error of validate.errors ?? [])
    (errors[fieldOf(error, prefix)] ??= []).push(error.message ?? "is invalid");
  return { ok: false, errors };
}

/** Parameters made of defaults only, for rendering against a sample cluster at save time. */
export function sampleParams(schema: object): Record<string, unknown> {
  // Defaults are filled even when required values are missing; rendering then names those.
  const value: Record<string, unknown> = {};
  compiled(schema)(value);
  return value;
}
