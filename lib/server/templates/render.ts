import "server-only";
import { Liquid, Tag, type Context, type TagToken, type Template, type TopLevelToken } from "liquidjs";

/**
 * Templates use Liquid (LiquidJS), a language built for untrusted templates: no code
 * execution, only filters and tags. We also remove its file access (include, render,
 * layout refuse), make unknown variables and filters errors (except in if/unless and the
 * default filter, where absence is the question), cap parse size, render time
 * and memory, and quote any string value that is not plain-safe YAML (see yamlSafe) so a
 * parameter cannot inject YAML structure (a leading `*` would be an alias, `: ` a new key,
 * a line break a new entry). `{{ x | raw }}` opts out, at the template author's choice.
 */

/**
 * A string that reads back as the same plain scalar wherever it is inserted: no line break or
 * control character, no leading indicator (`*`, `&`, `!`, `|`, `>`, quotes, `%`, `@`, `#`, `-`
 * or `?` or `:` before a space), no `: ` or ` #`, no flow punctuation, no trailing `:` or space.
 * Anything else is inserted as a JSON (double-quoted YAML) string.
 */
export function yamlSafe(value: string): boolean {
  if (value === "") return true;
  if (/[\x00-\x1f\x7f\u0085\u2028\u2029,[\]{}]/.test(value)) return false;
  if (/^[\s*&!|>'"%@`#]/.test(value) || /^[-?:](\s|$)/.test(value)) return false;
  if (/:\s|\s#|[:\s]$/.test(value)) return false;
  return true;
}

export class TemplateError extends Error {
  override name = "TemplateError";
  constructor(
    message: string,
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(message);
  }
}

class ForbiddenTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(`the "${token.name}" tag is not allowed: templates cannot read files`);
  }
  *render(_ctx: Context): Generator<unknown, void, unknown> {}
}

/** Single-line JSON from the `json` filter: a YAML flow value, inserted as it is (the usual way to quote). */
class JsonText extends String {}
type FilterThis = ThisParameterType<Extract<Liquid["filters"][string], (...args: never[]) => unknown>>;

function engine(): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    // Undefined is allowed only where it is asked about: in if/unless and the default filter.
    lenientIf: true,
    strictFilters: true,
    ownPropertyOnly: true,
    relativeReference: false,
    root: [],
    partials: [],
    layouts: [],
    parseLimit: 512 * 1024,
    renderLimit: 2000,
    memoryLimit: 32 * 1024 * 1024,
    outputEscape: (value: unknown) =>
      (typeof value === "string" && !yamlSafe(value) ? JSON.stringify(value) : value) as string,
  });
  for (const name of ["include", "render", "layout"]) liquid.registerTag(name, ForbiddenTag);
  const builtinJson = liquid.filters.json as (this: FilterThis, value: unknown, space?: number) => string;
  liquid.registerFilter("json", function (this: FilterThis, value: unknown, space?: number) {
    const text = builtinJson.call(this, value, space);
    return /[\r\n]/.test(text) ? text : new JsonText(text);
  });
  return liquid;
}

const shared = engine();

function positionOf(error: unknown): { line: number | null; column: number | null } {
  const token = (error as { token?: { getPosition?: () => [number, number] } }).token;
  const position = token?.getPosition?.();
  return position ? { line: position[0], column: position[1] } : { line: null, column: null };
}

function cleanMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // LiquidJS appends ", line:N, col:M"; we report those separately.
  return message
    .replace(/,?\s*line:\d+,\s*col:\d+/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Parsed bodies, newest last. A rollout, a preview or a drift round renders one body for
 * every target cluster; parsed templates are immutable and render any number of times.
 * Small, because a body may be up to 1 MB.
 */
const parsedBodies = new Map<string, Template[]>();
const PARSED_BODIES_KEPT = 16;

export function parseTemplate(body: string): Template[] {
  const cached = parsedBodies.get(body);
  if (cached) return cached;
  try {
    const templates = shared.parse(body);
    parsedBodies.set(body, templates);
    if (parsedBodies.size > PARSED_BODIES_KEPT) parsedBodies.delete(parsedBodies.keys().next().value!);
    return templates;
  } catch (error) {
    const { line, column } = positionOf(error);
    throw new TemplateError(cleanMessage(error), line, column);
  }
}

/** Errors whose text comes from the template (a variable's name), never from a parameter's value. */
const TEMPLATE_WORDED = new Set(["UndefinedVariableError", "InternalUndefinedVariableError"]);

/**
 * Renders with parameters, which may hold secret values: a filter or tag that fails may quote
 * its input, so only errors worded from the template keep their text; any other failure is a
 * fixed sentence with the template position.
 */
export async function renderTemplate(body: string, context: Record<string, unknown>): Promise<string> {
  const templates = parseTemplate(body);
  try {
    return await shared.render(templates, context);
  } catch (error) {
    const { line, column } = positionOf(error);
    const original = (error as { originalError?: unknown }).originalError;
    const worded = [error, original].some((e) => e instanceof Error && TEMPLATE_WORDED.has(e.name));
    throw new TemplateError(
      worded ? cleanMessage(error) : "a filter or tag failed while rendering with these parameters",
      line,
      column,
    );
  }
}
