import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { TamperMode } from "./oidc-provider/server";

export interface TestIdpUser {
  login: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
}

export interface TestIdpClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
}

/** The test OpenID Provider process (lib/testing/oidc-provider/server.ts) and its admin controls. */
export interface TestIdp {
  issuer: string;
  port: number;
  setGroups(login: string, groups: string[]): Promise<void>;
  setEmailVerified(login: string, verified: boolean): Promise<void>;
  rotateKeys(): Promise<{ previousKid: string; kid: string }>;
  tamper(mode: TamperMode): Promise<void>;
  groupsInUserinfoOnly(enabled: boolean): Promise<void>;
  addClient(client: TestIdpClient): Promise<void>;
  /** Ends the process (the provider is then down); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

const root = path.resolve(__dirname, "../..");

export async function startTestIdp(options: { users: TestIdpUser[]; clients?: TestIdpClient[]; port?: number }) {
  let child: ChildProcess | undefined;
  let port = options.port ?? 0;
  let clients = options.clients ?? [];
  let issuer = "";

  const launch = async () => {
    const config = JSON.stringify({ port, users: options.users, clients });
    const proc = spawn(process.execPath, ["--import", "tsx", "lib/testing/oidc-provider/server.ts"], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: "tsconfig.scripts.json", TEST_IDP_CONFIG: config },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    issuer = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`test IdP did not start in 60 s: ${stderr}`)), 60_000);
      proc.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /TEST_IDP_READY (\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`test IdP exited with ${code}: ${stderr}`));
      });
    });
    port = Number(new URL(issuer).port);
  };

  const admin = async (pathName: string, body: unknown) => {
    const response = await fetch(`${issuer}/__admin/${pathName}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`test IdP admin ${pathName}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };

  await launch();
  const idp: TestIdp = {
    get issuer() {
      return issuer;
    },
    get port() {
      return port;
    },
    setGroups: async (login, groups) => void (await admin("groups", { login, groups })),
    setEmailVerified: async (login, verified) => void (await admin("email-verified", { login, verified })),
    rotateKeys: async () => (await admin("rotate-keys", {})) as { previousKid: string; kid: string },
    tamper: async (mode) => void (await admin("tamper", { mode })),
    groupsInUserinfoOnly: async (enabled) => void (await admin("groups-in-userinfo-only", { enabled })),
    addClient: async (client) => {
      clients = [...clients.filter((c) => c.client_id !== client.client_id), client];
      await admin("clients", client);
    },
    stop: async () => {
      const proc = child;
      if (!proc || proc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      });
    },
    start: launch,
  };
  return idp;
}
