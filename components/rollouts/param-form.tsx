"use client";

import { useId } from "react";

/** A form generated from the template's parameter schema (the supported JSON Schema subset). */
interface Schema {
  type?: string;
  title?: string;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  writeOnly?: boolean;
  format?: string;
  contentEncoding?: string;
}

/** A sealed secret parameter: entered in a password field, never shown again (see README, Secret parameters). */
export const isSecretSchema = (schema: Schema) =>
  schema.format !== "secret-reference" && (schema.writeOnly === true || schema.format === "password");

interface Props {
  schema: Schema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  errors: Record<string, string[]>;
  path?: string;
  /** Clusters a secret reference may name as its source. */
  clusters?: Array<{ id: string; name: string }>;
}

const isReferenceSchema = (schema: Schema) => schema.format === "secret-reference";

/** Inline check mirroring the server's validation, so mistakes show while typing. */
export function fieldProblem(schema: Schema, value: unknown, required: boolean): string | null {
  // An empty secret keeps the release's current value; the server says when there is none.
  if (isSecretSchema(schema) && (value === undefined || value === "")) return null;
  if (value === undefined || value === "") return required ? "Required" : null;
  if (schema.enum && !schema.enum.includes(value)) return `Must be one of ${schema.enum.join(", ")}`;
  if (schema.type === "string" && typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return `At least ${schema.minLength} characters`;
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      return `At most ${schema.maxLength} characters`;
    if (schema.pattern && !new RegExp(schema.pattern, "u").test(value)) return `Must match ${schema.pattern}`;
  }
  if ((schema.type === "number" || schema.type === "integer") && typeof value === "number") {
    if (Number.isNaN(value)) return "Must be a number";
    if (schema.type === "integer" && !Number.isInteger(value)) return "Must be a whole number";
    if (schema.minimum !== undefined && value < schema.minimum) return `At least ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `At most ${schema.maximum}`;
  }
  return null;
}

export function defaultsOf(schema: Schema): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (isSecretSchema(child) || isReferenceSchema(child)) continue;
    if (child.default !== undefined) result[key] = child.default;
    else if (child.type === "object") result[key] = defaultsOf(child);
  }
  return result;
}

export function ParamForm({ schema, value, onChange, errors, path = "params", clusters = [] }: Props) {
  const baseId = useId();
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length === 0) return <p className="text-sm text-slate-500">This template takes no parameters.</p>;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {entries.map(([key, child]) => {
        const id = `${baseId}-${key}`;
        const fieldPath = `${path}.${key}`;
        const required = schema.required?.includes(key) ?? false;
        const current = value[key];
        const problem = fieldProblem(child, current, required) ?? errors[fieldPath]?.join(" ") ?? null;
        const label = `${child.title ?? key}${required ? "" : " (optional)"}`;
        const set = (next: unknown) => onChange({ ...value, [key]: next });
        const common = {
          id,
          "aria-invalid": Boolean(problem) || undefined,
          "aria-describedby": problem ? `${id}-error` : child.description ? `${id}-hint` : undefined,
          className:
            "mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 aria-[invalid]:ring-red-400",
        };
        let control: React.ReactNode;
        if (isReferenceSchema(child)) {
          const ref = (current ?? {}) as { cluster?: string; namespace?: string; name?: string; keys?: string[] };
          const setRef = (patch: Partial<typeof ref>) => set({ ...ref, ...patch });
          const input = "mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300";
          return (
            <fieldset
              key={key}
              className="rounded-md p-3 ring-1 ring-slate-200 sm:col-span-2"
              data-secret-reference={fieldPath}
            >
              <legend className="px-1 text-sm font-medium">{label}: a Secret copied from a source cluster</legend>
              <div className="grid gap-3 sm:grid-cols-4">
                <label className="text-sm">
                  Source cluster
                  <select
                    className={input}
                    value={ref.cluster ?? ""}
                    onChange={(e) => setRef({ cluster: e.target.value })}
                  >
                    <option value="">Choose…</option>
                    {clusters.map((cluster) => (
                      <option key={cluster.id} value={cluster.id}>
                        {cluster.name}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="text-sm">
                  Source namespace
                  <input
                    className={input}
                    value={ref.namespace ?? ""}
                    onChange={(e) => setRef({ namespace: e.target.value })}
                  />
                </label>
                <label className="text-sm">
                  Source Secret
                  <input className={input} value={ref.name ?? ""} onChange={(e) => setRef({ name: e.target.value })} />
                </label>
                <label className="text-sm">
                  Keys (optional)
                  <input
                    className={input}
                    placeholder="all keys"
                    value={(ref.keys ?? []).join(", ")}
                    onChange={(e) => {
                      const keys = e.target.value
                        .split(",")
                        .map((k) => k.trim())
                        .filter(Boolean);
                      setRef({ keys: keys.length ? keys : undefined });
                    }}
                  />
                </label>
              </div>
              <p className="mt-1 text-xs text-slate-500">
                Read from the source at every apply and drift check (you need &quot;reveal&quot; there); never stored.
              </p>
              {errors[fieldPath] ? <p className="mt-1 text-sm text-red-600">{errors[fieldPath].join(" ")}</p> : null}
            </fieldset>
          );
        } else if (child.type === "object") {
          return (
            <fieldset key={key} className="rounded-md p-3 ring-1 ring-slate-200 sm:col-span-2">
              <legend className="px-1 text-sm font-medium">{label}</legend>
              <ParamForm
                schema={child}
                value={(current ?? {}) as Record<string, unknown>}
                onChange={set}
                errors={errors}
                path={fieldPath}
                clusters={clusters}
              />
            </fieldset>
          );
        } else if (child.enum) {
          control = (
            <select
              {...common}
              value={String(current ?? "")}
              onChange={(e) => set(child.enum!.find((option) => String(option) === e.target.value))}
            >
              <option value="">Choose…</option>
              {child.enum.map((option) => (
                <option key={String(option)} value={String(option)}>
                  {String(option)}
                </option>
              ))}
            </select>
          );
        } else if (child.type === "boolean") {
          control = (
            <input
              id={id}
              type="checkbox"
              checked={Boolean(current)}
              onChange={(e) => set(e.target.checked)}
              className="mt-2"
            />
          );
        } else if (child.type === "number" || child.type === "integer") {
          control = (
            <input
              {...common}
              type="number"
              step={child.type === "integer" ? 1 : "any"}
              value={current === undefined ? "" : String(current)}
              onChange={(e) => set(e.target.value === "" ? undefined : Number(e.target.value))}
            />
          );
        } else if (child.type === "array") {
          control = (
            <input
              {...common}
              value={Array.isArray(current) ? current.join(", ") : ""}
              placeholder="comma-separated"
              onChange={(e) =>
                set(
                  e.target.value
                    .split(",")
                    .map((s) => s.trim())
                    .filter(Boolean)
                    .map((s) => (child.items?.type === "number" || child.items?.type === "integer" ? Number(s) : s)),
                )
              }
            />
          );
        } else if (isSecretSchema(child)) {
          control = (
            <input
              {...common}
              type="password"
              autoComplete="new-password"
              data-secret-param={fieldPath}
              placeholder="Leave empty to keep the current value"
              value={String(current ?? "")}
              onChange={(e) => set(e.target.value === "" ? undefined : e.target.value)}
            />
          );
        } else {
          control = <input {...common} value={String(current ?? "")} onChange={(e) => set(e.target.value)} />;
        }
        return (
          <div key={key}>
            <label htmlFor={id} className="block text-sm font-medium text-slate-800">
              {label}
            </label>
            {control}
            {child.description || isSecretSchema(child) ? (
              <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
                {child.description}
                {isSecretSchema(child)
                  ? `${child.description ? " " : ""}Secret: sealed when stored and never shown again; empty keeps the release's current value.${child.contentEncoding === "base64" ? " Base64." : ""}`
                  : null}
              </p>
            ) : null}
            {problem ? (
              <p id={`${id}-error`} className="mt-1 text-sm text-red-600">
                {problem}
              </p>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}

/** True when the inline checks find nothing wrong. */
export function paramsValid(schema: Schema, value: Record<string, unknown>): boolean {
  return Object.entries(schema.properties ?? {}).every(([key, child]) =>
    isReferenceSchema(child)
      ? !(schema.required?.includes(key) ?? false) || Boolean(value[key])
      : child.type === "object"
        ? paramsValid(child, (value[key] ?? {}) as Record<string, unknown>)
        : !fieldProblem(child, value[key], schema.required?.includes(key) ?? false),
  );
}
