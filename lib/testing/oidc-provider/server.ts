/**
 * A real OpenID Provider (oidc-provider, a certified implementation) for the integration and
 * browser tests, run as its own process on loopback: `tsx lib/testing/oidc-provider/server.ts`
 * with its configuration as JSON in TEST_IDP_CONFIG. It has its own signing keys, users with
 * passwords and groups, and its own login page. A small admin API (loopback only, test use)
 * changes what a real provider's operator could change between sign-ins: a user's groups,
 * the signing keys (rotation), whether groups go in the ID token or only in userinfo, the
 * registered clients. For the tampering tests it can also hand out ID tokens altered after
 * signing (foreign key, wrong audience or issuer, expired, wrong nonce), so the client side
 * under test stays exactly as in production.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";

interface TestUser {
  login: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
  emailVerified?: boolean;
}

interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
}

export type TamperMode = "none" | "foreign-key" | "audience" | "issuer" | "expired" | "nonce";

interface IdpConfig {
  port?: number;
  users: TestUser[];
  clients: TestClient[];
}

const config = JSON.parse(process.env.TEST_IDP_CONFIG ?? "{}") as IdpConfig;
const users = new Map((config.users ?? []).map((user) => [user.login, { ...user }]));
let clients: TestClient[] = config.clients ?? [];
let groupsInUserinfoOnly = false;
let tamper: TamperMode = "none";
let signingKey: { privateJwk: JWK; kid: string } | undefined;
let provider: Provider | undefined;
let issuer = "";

async function newSigningKey() {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = `k-${randomBytes(6).toString("hex")}`;
  return { privateJwk: { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" }, kid };
}

function findUserBySub(sub: string): TestUser | undefined {
  return [...users.values()].find((user) => user.login === sub);
}

async function tamperIdToken(idToken: string): Promise<string> {
  const payload = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = signingKey!.privateJwk;
  if (tamper === "foreign-key") key = (await newSigningKey()).privateJwk;
  if (tamper === "audience") payload.aud = "someone-else";
  if (tamper === "issuer") payload.iss = "https://issuer.invalid";
  if (tamper === "expired") Object.assign(payload, { iat: now - 7200, exp: now - 3600 });
  if (tamper === "nonce") payload.nonce = "not-the-nonce-that-was-sent";
  // The real key id, so a foreign signature is checked against the provider's real key.
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", kid: signingKey!.kid, typ: "JWT" })
    .sign(await importJWK(key, "RS256"));
}

function buildProvider(): Provider {
  const configuration: Configuration = {
    clients: clients.map((client) => ({ ...client, grant_types: ["authorization_code"], response_types: ["code"] })),
    jwks: { keys: [signingKey!.privateJwk] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    // Scope claims in the ID token too (the common provider setup); userinfo-only is a switch below.
    conformIdTokenClaims: false,
    scopes: ["openid", "email", "profile", "groups"],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const user = findUserBySub(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims(use) {
          const claims: Record<string, unknown> = {
            sub,
            email: user.email,
            email_verified: user.emailVerified ?? true,
            name: user.name,
          };
          if (!(groupsInUserinfoOnly && use === "id_token")) claims.groups = [...user.groups];
          return claims as { sub: string };
        },
      };
    },
    // A first-party provider: consent is implied, so the login page is the only interaction.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const oidc = ctx.oidc;
      const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(oidc.client!.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId });
      grant.addOIDCScope([...(oidc.requestParamScopes ?? [])].join(" "));
      await grant.save();
      return grant;
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 120, IdToken: 600 },
  };
  const created = new Provider(issuer, configuration);
  created.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === "/token" && tamper !== "none" && body && typeof body.id_token === "string")
      body.id_token = await tamperIdToken(body.id_token);
  });
  return created;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid: string, error?: string): string {
  return `<!doctype html><html><head><title>Test IdP sign-in</title></head><body>
<h1>Test identity provider</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/interaction/${uid}/login">
<label>Username <input name="login" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in to Test IdP</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>
</body></html>`;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function handleInteraction(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
  const current = provider!;
  const [, , uid, action] = path.split("/");
  if (req.method === "GET") {
    await current.interactionDetails(req, res);
    res.writeHead(200, { "content-type": "text/html" });
    res.end(loginPage(uid!));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  if (action === "abort") {
    await current.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "The user cancelled the sign-in" },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const user = users.get(form.get("login") ?? "");
  if (!user || user.password !== form.get("password")) {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(loginPage(uid!, "Unknown user or wrong password"));
    return;
  }
  await current.interactionFinished(req, res, { login: { accountId: user.login } }, { mergeWithLastSubmission: false });
}

async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
  const body = req.method === "POST" ? (JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>) : {};
  switch (path) {
    case "/__admin/groups": {
      const user = users.get(String(body.login));
      if (!user) return json(res, 404, { error: "no such user" });
      user.groups = (body.groups as string[]) ?? [];
      return json(res, 200, { login: user.login, groups: user.groups });
    }
    case "/__admin/email-verified": {
      const user = users.get(String(body.login));
      if (!user) return json(res, 404, { error: "no such user" });
      user.emailVerified = Boolean(body.verified);
      return json(res, 200, { login: user.login, emailVerified: user.emailVerified });
    }
    case "/__admin/rotate-keys": {
      const previous = signingKey!.kid;
      signingKey = await newSigningKey();
      provider = buildProvider();
      return json(res, 200, { previousKid: previous, kid: signingKey.kid });
    }
    case "/__admin/tamper":
      tamper = (body.mode as TamperMode) ?? "none";
      return json(res, 200, { tamper });
    case "/__admin/groups-in-userinfo-only":
      groupsInUserinfoOnly = Boolean(body.enabled);
      return json(res, 200, { groupsInUserinfoOnly });
    case "/__admin/clients": {
      const client = body as unknown as TestClient;
      clients = [...clients.filter((c) => c.client_id !== client.client_id), client];
      provider = buildProvider();
      return json(res, 200, { client_id: client.client_id });
    }
    case "/__admin/state":
      return json(res, 200, { kid: signingKey!.kid, tamper, groupsInUserinfoOnly });
    default:
      return json(res, 404, { error: "unknown admin path" });
  }
}

async function main() {
  signingKey = await newSigningKey();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const work = path.startsWith("/interaction/")
      ? handleInteraction(req, res, path)
      : path.startsWith("/__admin/")
        ? handleAdmin(req, res, path)
        : Promise.resolve(provider!.callback()(req, res));
    work.catch((error: unknown) => {
      console.error("test idp error", error instanceof Error ? error.message : error);
      if (!res.headersSent) json(res, 500, { error: "test idp error" });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(config.port ?? 0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = buildProvider();
  // The parent waits for this line.
  console.log(`TEST_IDP_READY ${issuer}`);
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
