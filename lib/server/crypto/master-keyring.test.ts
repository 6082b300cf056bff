import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/server/config/env";
import { logger } from "@/lib/server/log/logger";
import { generateKey, keyId, parseKey, readKeyFile, writeKeyFile } from "./keyring";
import { keyring, reloadKeyring, resetKeyring } from "./master-keyring";

/**
 * Issue 20: the keyring a running server holds while `keys:rotate` rewrites its key file. The
 * start script decides the key source (embedded default: <data dir>/master.key) before it sets
 * DATABASE_URL to the embedded database; the server bundle has its own copy of the env module,
 * which then sees DATABASE_URL set. A reload there must read the same file, never decide anew.
 */

const saved = { ...process.env };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "keyring-"));
  for (const name of ["DATABASE_URL", "ARCHIPELAGO_MASTER_KEY", "ARCHIPELAGO_MASTER_KEY_FILE"])
    delete process.env[name];
  process.env.ARCHIPELAGO_DATA_DIR = dir;
  resetEnvForTests();
  resetKeyring();
});

afterEach(() => {
  process.env = { ...saved };
  resetEnvForTests();
  resetKeyring();
  vi.restoreAllMocks();
});

const idOf = (key: string) => keyId(Buffer.from(key, "base64"));

describe("the process keyring during a rotation", () => {
  it("re-reads the embedded default's key file after DATABASE_URL was set to the embedded database", () => {
    const first = keyring();
    expect(first.source).toMatchObject({ kind: "file", path: path.join(dir, "master.key"), generated: true });
    // What the start script does next, and what the server bundle's env module then sees.
    process.env.DATABASE_URL = "postgresql://archipelago_app:x@127.0.0.1:54329/archipelago";
    resetEnvForTests();
    const fresh = generateKey();
    writeKeyFile(path.join(dir, "master.key"), [fresh, first.current.key.toString("base64")]);
    const during = keyring();
    expect(during.current.id).toBe(idOf(fresh));
    expect(during.all.map((key) => key.id)).toEqual([idOf(fresh), first.current.id]);
    writeKeyFile(path.join(dir, "master.key"), [fresh]);
    expect(keyring().all.map((key) => key.id)).toEqual([idOf(fresh)]);
    expect(reloadKeyring("unknown key id").current.id).toBe(idOf(fresh));
  });

  it("keeps the keys it holds when the file cannot be read, and says so once", () => {
    const errors = vi.spyOn(logger, "error").mockImplementation((() => undefined) as never);
    const held = keyring();
    const file = path.join(dir, "master.key");
    writeFileSync(file, "not a key\n");
    expect(keyring().current.id).toBe(held.current.id);
    expect(keyring().current.id).toBe(held.current.id);
    writeFileSync(file, "");
    expect(reloadKeyring("unknown key id").current.id).toBe(held.current.id);
    expect(errors).toHaveBeenCalledTimes(2);
    expect(JSON.stringify(errors.mock.calls)).not.toContain(held.current.key.toString("base64"));
    // Removed: still the same keys, and no new key file is generated behind the operator's back.
    rmSync(file);
    expect(reloadKeyring("unknown key id").current.id).toBe(held.current.id);
    expect(existsSync(file)).toBe(false);
    // A good file again is picked up.
    const next = generateKey();
    writeKeyFile(file, [next]);
    expect(keyring().current.id).toBe(idOf(next));
  });

  it("writes the key file whole or not at all, owner-only, leaving no temporary file", () => {
    const file = path.join(dir, "keys");
    const keys = [generateKey(), generateKey()];
    writeKeyFile(file, keys);
    expect(readKeyFile(file).map((key) => key.id)).toEqual(keys.map(idOf));
    expect(readFileSync(file, "utf8")).toBe(`${keys.join("\n")}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["keys"]);
    expect(parseKey(keys[0]!, "x").id).toBe(idOf(keys[0]!));
  });
});
