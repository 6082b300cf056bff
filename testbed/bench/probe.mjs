/**
 * Loaded into the server process by the fan-out benchmark only (`--import`, through
 * NODE_OPTIONS): counts database round trips (every query sent through `pg`, the driver
 * under Prisma's adapter) and takes CPU profiles with the inspector, steered by the
 * benchmark through a control file and SIGUSR2. Nothing in the app knows of it, so the
 * server measured is the server that runs.
 *
 *   control file "start"            -> zero the counter, start profiling if PROBE_PROFILE=1
 *   control file "stop <out.json>"  -> write { queries, cpuMs } (and <out>.cpuprofile)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Session } from "node:inspector";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "package.json"));
const control = process.env.PROBE_CONTROL;
const profiling = process.env.PROBE_PROFILE === "1";

let queries = 0;
/** Query texts by count (first 120 characters), to see which round trips repeat per target. */
let texts = new Map();
const pg = require("pg");
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(...args) {
  queries += 1;
  const text = typeof args[0] === "string" ? args[0] : args[0]?.text;
  if (typeof text === "string") {
    const key = text.replace(/\s+/g, " ").slice(0, 120);
    texts.set(key, (texts.get(key) ?? 0) + 1);
  }
  return original.apply(this, args);
};

const session = new Session();
session.connect();
const post = (method, params = {}) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
if (profiling) await post("Profiler.enable");

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

process.on("SIGUSR2", () => {
  void (async () => {
    const [command, out] = readFileSync(control, "utf8").trim().split(" ");
    if (command === "start") {
      queries = 0;
      texts = new Map();
      if (profiling) await post("Profiler.start");
      writeFileSync(`${control}.ack`, "start");
    } else if (command === "mark") {
      writeFileSync(out, JSON.stringify({ queries, cpuMs: cpuMs() }));
      writeFileSync(`${control}.ack`, "mark");
    } else if (command === "stop") {
      // CPU first: stopping the profiler and writing its profile is the probe's cost, not the app's.
      const spent = cpuMs();
      if (profiling) {
        const { profile } = await post("Profiler.stop");
        writeFileSync(`${out}.cpuprofile`, JSON.stringify(profile));
      }
      const top = [...texts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
      writeFileSync(out, JSON.stringify({ queries, cpuMs: spent, top }));
      writeFileSync(`${control}.ack`, "stop");
    }
  })();
});
