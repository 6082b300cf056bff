import { ensureNextBuild } from "./next-build";
import { prepareBrowser } from "./prepare-browser";
import { buildTestbed, checkGo, startTestbed } from "./prepare-testbed";
import { ensureCommands } from "./system-packages";

/** What a stage of `npm test` needs prepared before it starts. */
export type Need = "go" | "testbed" | "app" | "commands" | "browser";

export interface Prepared {
  /** The one-line problem of each need that could not be met (its dependants are not attempted). */
  problems: Map<Need, string>;
  /** What took how long, e.g. "testbed build 402.1 s". */
  steps: string[];
  /** The Chromium that started, for Playwright. */
  chromiumPath?: string;
}

/**
 * Prepares each need once, in dependency order, outside any test and its timeout, so a fresh
 * machine is ready before the first test starts, or gets one line per thing it must fix.
 */
export async function prepare(needs: Set<Need>): Promise<Prepared> {
  const prepared: Prepared = { problems: new Map(), steps: [] };
  const { problems } = prepared;
  const step = async (need: Need, label: string, work: () => Promise<string | undefined> | string | undefined) => {
    console.log(`prepare: ${label}…`);
    const started = Date.now();
    let problem: string | undefined;
    try {
      problem = await work();
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    prepared.steps.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (problem) {
      console.error(`prepare: ${problem}`);
      if (!problems.has(need)) problems.set(need, problem);
    }
  };
  if (needs.has("commands"))
    await step("commands", "system commands", () => ensureCommands([{ command: "openssl", debianPackage: "openssl" }]));
  if (needs.has("go") || needs.has("testbed")) await step("go", "Go toolchain", checkGo);
  if (needs.has("testbed")) {
    if (problems.has("go")) problems.set("testbed", problems.get("go")!);
    else {
      await step("testbed", "testbed build", buildTestbed);
      if (!problems.has("testbed")) await step("testbed", "testbed clusters", startTestbed);
    }
  }
  if (needs.has("app"))
    await step("app", "app build", () => {
      ensureNextBuild();
      return undefined;
    });
  if (needs.has("browser"))
    await step("browser", "Chromium", async () => {
      const browser = await prepareBrowser();
      if (!browser.ok) return browser.problem;
      prepared.chromiumPath = browser.executablePath;
      console.log(`prepare: Chromium at ${browser.executablePath} starts`);
      return undefined;
    });
  return prepared;
}
