import { NextRequest } from "next/server";
import { GET as callbackHandler } from "./callback/route";
import { GET as startHandler } from "./[provider]/start/route";

/**
 * Drives a single sign-on as a browser would, against the real test provider process:
 * our start route, the provider's own login page (form post with a cookie jar), back to our
 * callback route. Only the browser is played here; both ends are the real code.
 */

const APP = "http://localhost:3000";

function appRequest(path: string, cookies: Record<string, string>): NextRequest {
  const headers = new Headers({
    host: "localhost:3000",
    "x-archipelago-client-ip": "127.0.0.1",
    "x-archipelago-proto": "http",
  });
  const cookieHeader = Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
  if (cookieHeader) headers.set("cookie", cookieHeader);
  return new NextRequest(new URL(path, APP), { method: "GET", headers });
}

function setCookies(response: Response): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const index = pair!.indexOf("=");
    jar[pair!.slice(0, index).trim()] = pair!.slice(index + 1).trim();
  }
  return jar;
}

export interface StartedSignIn {
  status: number;
  location: string;
  /** The browser-binding cookie our start route set. */
  browserCookie: string | undefined;
}

export async function startSignIn(slug: string, next?: string): Promise<StartedSignIn> {
  const path = `/api/v1/auth/sso/${slug}/start${next ? `?next=${encodeURIComponent(next)}` : ""}`;
  const response = await startHandler(appRequest(path, {}), { params: Promise.resolve({ provider: slug }) });
  return {
    status: response.status,
    location: response.headers.get("location") ?? "",
    browserCookie: setCookies(response).archipelago_sso,
  };
}

/**
 * At the provider: follows its redirects to the login page, posts the credentials (or presses
 * Cancel), and follows on until it redirects to our callback. Returns that callback URL.
 */
export async function loginAtProvider(
  authorizationUrl: string,
  credentials: { login: string; password: string } | "cancel",
): Promise<string> {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
      },
    });
    for (const [k, v] of Object.entries(setCookies(response))) jar.set(k, v);
    return response;
  };
  let url = authorizationUrl;
  let posted = false;
  for (let hop = 0; hop < 20; hop += 1) {
    if (url.startsWith(APP)) return url;
    const response = await send(url);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("location")!, url).href;
      continue;
    }
    const html = await response.text();
    if (posted)
      throw new Error(`provider did not redirect back after login (${response.status}): ${html.slice(0, 300)}`);
    const uid = /\/interaction\/([^/"]+)\/login/.exec(html)?.[1];
    if (!uid) throw new Error(`no login form at the provider (${response.status}): ${html.slice(0, 300)}`);
    const action = credentials === "cancel" ? "abort" : "login";
    const body = credentials === "cancel" ? "" : new URLSearchParams(credentials).toString();
    const posting = await send(new URL(`/interaction/${uid}/${action}`, url).href, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    posted = true;
    if (posting.status < 300 || posting.status >= 400)
      throw new Error(`login was not accepted (${posting.status}): ${(await posting.text()).slice(0, 300)}`);
    url = new URL(posting.headers.get("location")!, url).href;
  }
  throw new Error("too many redirects at the provider");
}

export interface CallbackOutcome {
  status: number;
  location: string;
  sessionToken: string | undefined;
  /** The browser-binding cookie was cleared by this answer. */
  bindingCleared: boolean;
}

export async function finishSignIn(callbackUrl: string, browserCookie: string | undefined): Promise<CallbackOutcome> {
  const url = new URL(callbackUrl);
  const response = await callbackHandler(
    appRequest(url.pathname + url.search, browserCookie ? { archipelago_sso: browserCookie } : {}),
    { params: Promise.resolve({}) },
  );
  const cookies = setCookies(response);
  return {
    status: response.status,
    location: response.headers.get("location") ?? "",
    sessionToken: cookies.archipelago_session || undefined,
    bindingCleared: cookies.archipelago_sso === "",
  };
}

/** The whole round trip for one user. */
export async function ssoSignIn(slug: string, login: string, password: string): Promise<CallbackOutcome> {
  const started = await startSignIn(slug);
  if (started.status !== 303 || !started.location.startsWith("http://127.0.0.1"))
    return { status: started.status, location: started.location, sessionToken: undefined, bindingCleared: false };
  const callback = await loginAtProvider(started.location, { login, password });
  return finishSignIn(callback, started.browserCookie);
}

export const ssoErrorOf = (outcome: { location: string }) => {
  const url = new URL(outcome.location, APP);
  return url.pathname === "/sign-in"
    ? { code: url.searchParams.get("sso_error"), detail: url.searchParams.get("sso_detail") }
    : null;
};
