import { describe, expect, it } from "vitest";
import { parsePrometheusText, samplesOf } from "./prometheus-text";

const histogram = `# HELP h_seconds Latency
# TYPE h_seconds histogram
h_seconds_bucket{le="0.1",route="/a"} 1
h_seconds_bucket{le="+Inf",route="/a"} 2
h_seconds_sum{route="/a"} 0.5
h_seconds_count{route="/a"} 2
`;

describe("parsePrometheusText", () => {
  it("reads families, escaped label values and histograms", () => {
    const families = parsePrometheusText(
      `# HELP c_total Things\n# TYPE c_total counter\nc_total{a="x\\"y\\\\z\\n"} 3\n${histogram}`,
    );
    expect(samplesOf(families, "c_total")).toEqual([{ name: "c_total", labels: { a: 'x"y\\z\n' }, value: 3 }]);
    expect(samplesOf(families, "h_seconds_bucket", { route: "/a", le: "+Inf" })[0]?.value).toBe(2);
    expect(families.get("h_seconds")?.type).toBe("histogram");
    const special = parsePrometheusText('# TYPE g gauge\ng{a="1"} Nan\ng{a="2"} -Inf\ng{a="3"} 1.5e3\n');
    expect(samplesOf(special, "g").map((sample) => sample.value)).toEqual([NaN, -Infinity, 1500]);
  });

  it.each([
    ["an undeclared family", "x 1\n"],
    ["a bad value", "# TYPE x gauge\nx one\n"],
    ["a hexadecimal value", "# TYPE x gauge\nx 0x10\n"],
    ["an unterminated label", '# TYPE x gauge\nx{a="1} 1\n'],
    ["a duplicate series", '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ["a missing final newline", "# TYPE x gauge\nx 1"],
    [
      "a +Inf bucket that differs from _count",
      histogram.replace('h_seconds_count{route="/a"} 2', 'h_seconds_count{route="/a"} 3'),
    ],
    ["buckets that are not cumulative", histogram.replace('le="0.1",route="/a"} 1', 'le="0.1",route="/a"} 5')],
  ])("refuses %s", (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
