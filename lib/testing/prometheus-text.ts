/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests.
 * Written here because the npm parser tried (parse-prometheus-text-format 1.1.1) drops the
 * labels, sums and counts of prom-client's histograms and merges their series, and no other
 * well-kept parser is on the registry. Strict: any line that is not a HELP/TYPE comment, a
 * blank line or a well-formed sample of a declared family throws, as do duplicate series and
 * histograms whose buckets are not cumulative or whose +Inf bucket differs from _count.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<MetricType, string[]> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const lines = text.split("\n");
  if (lines.at(-1) !== "") throw new Error("exposition must end with a newline");
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === "") return;
    if (line.startsWith("#")) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // other comments are allowed by the format
      const [, keyword, name, rest] = match as unknown as [string, string, string, string];
      if (!NAME.test(name)) fail("bad metric name");
      const family = families.get(name) ?? { name, help: "", type: "untyped" as MetricType, samples: [] };
      if (keyword === "TYPE") {
        if (!TYPES.has(rest as MetricType)) fail("unknown type");
        if (family.samples.length > 0) fail("TYPE after samples");
        family.type = rest as MetricType;
      } else family.help = rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      families.set(name, family);
      return;
    }
    const sample = parseSample(line, fail);
    const family = familyOf(families, sample.name) ?? fail("sample of an undeclared family");
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) fail("duplicate series");
    seen.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  for (const family of families.values())
    for (const suffix of SUFFIXES[family.type]) if (sampleName === family.name + suffix) return family;
  return undefined;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line) ?? fail("no metric name");
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const labelMatch = /^([^=]*)="/.exec(rest) ?? fail("bad label");
      const labelName = labelMatch[1]!;
      if (!LABEL_NAME.test(labelName)) fail("bad label name");
      if (labelName in labels) fail("repeated label");
      rest = rest.slice(labelMatch[0].length);
      let value = "";
      for (;;) {
        const char = rest[0] ?? fail("unterminated label value");
        rest = rest.slice(1);
        if (char === '"') break;
        if (char === "\n") fail("newline in label value");
        if (char === "\\") {
          const escaped = rest[0];
          rest = rest.slice(1);
          if (escaped === "\\") value += "\\";
          else if (escaped === '"') value += '"';
          else if (escaped === "n") value += "\n";
          else fail("bad escape in label value");
        } else value += char;
      }
      labels[labelName] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) fail("expected , or }");
    }
    rest = rest.slice(1);
  }
  const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest) ?? fail("bad value");
  const text = valueMatch[1]!;
  // Go's strconv.ParseFloat, which Prometheus uses, takes NaN and Inf in any letter case
  // (prom-client writes "Nan" for an empty event loop histogram).
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  const value = special
    ? special[2]!.toLowerCase() === "nan"
      ? NaN
      : special[1] === "-"
        ? -Infinity
        : Infinity
    : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)
      ? Number(text)
      : fail("value is not a number");
  return { name, labels, value };
}

function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      entry.buckets.push([le === "+Inf" ? Infinity : Number(le), sample.value]);
    } else if (sample.name.endsWith("_count")) entry.count = sample.value;
  }
  for (const [key, entry] of series) {
    const sorted = [...entry.buckets].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([, value], i) => {
      if (i > 0 && value < sorted[i - 1]![1]) throw new Error(`${family.name}${key}: buckets not cumulative`);
    });
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (entry.count !== sorted.at(-1)![1]) throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
  }
}

/** The samples of one family matching every given label. */
export function samplesOf(families: Map<string, Family>, sampleName: string, labels: Record<string, string> = {}) {
  const family = familyOf(families, sampleName);
  return (family?.samples ?? []).filter(
    (sample) =>
      sample.name === sampleName && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}
