import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";

/** Whether `npm test` may install Debian packages itself: as root on Debian (CI, fresh machines). */
export function canUseApt(): boolean {
  return os.userInfo().uid === 0 && existsSync("/etc/debian_version") && commandExists("apt-get");
}

export function commandExists(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

let updated = false;

/** apt-get install, after one apt-get update per run; its output is shown as it goes. */
export function aptInstall(packages: string[]): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!updated) {
    if (spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env }).status !== 0) return false;
    updated = true;
  }
  const install = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], {
    stdio: "inherit",
    env,
  });
  return install.status === 0;
}

/**
 * Commands the tests run themselves (e.g. `openssl` for a throwaway TLS server): installed with
 * apt-get where we may, else named in the one line of the problem.
 */
export function ensureCommands(needed: Array<{ command: string; debianPackage: string }>): string | undefined {
  const missing = needed.filter(({ command }) => !commandExists(command));
  if (missing.length === 0) return undefined;
  const packages = missing.map((m) => m.debianPackage);
  if (canUseApt()) {
    console.log(`prepare: installing ${packages.join(", ")} with apt-get`);
    if (aptInstall(packages) && missing.every(({ command }) => commandExists(command))) return undefined;
  }
  return `missing command(s) ${missing.map((m) => m.command).join(", ")}: install them (Debian: apt-get install ${packages.join(" ")})`;
}
