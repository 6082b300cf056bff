import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { NextRequest } from "next/server";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
const METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const API_ROOT = path.resolve("app", "api");

export interface DiscoveredRoute {
  key: string;
  template: string;
  method: Method;
  params: string[];
  handler: (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
}

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? routeFiles(full) : entry === "route.ts" ? [full] : [];
  });
}

/** Every route handler under app/api, found by walking the folder (a new route cannot be forgotten). */
export async function discoverRoutes(): Promise<DiscoveredRoute[]> {
  const found: DiscoveredRoute[] = [];
  for (const file of routeFiles(API_ROOT)) {
    const template = `/api/${path.relative(API_ROOT, path.dirname(file)).split(path.sep).join("/")}`;
    const exports = (await import(file)) as Record<string, unknown>;
    const params = [...template.matchAll(/\[(?:\.\.\.)?(\w+)\]/g)].map((match) => match[1]!);
    for (const method of METHODS)
      if (typeof exports[method] === "function")
        found.push({
          key: `${method} ${template}`,
          template,
          method,
          params,
          handler: exports[method] as DiscoveredRoute["handler"],
        });
  }
  return found;
}

export function urlFor(template: string, params: Record<string, string>): string {
  return template.replace(/\[\.\.\.(\w+)\]|\[(\w+)\]/g, (_match, rest: string | undefined, name: string | undefined) =>
    encodeURIComponent(params[(rest ?? name)!] ?? "missing"),
  );
}
