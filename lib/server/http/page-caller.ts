import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { authenticate, type Caller } from "@/lib/server/auth/caller";
import { SESSION_COOKIE } from "@/lib/server/auth/session-token";
import { safeReturnPath } from "@/lib/schemas/return-path";
import { PATH_HEADER } from "./request-facts";

/**
 * The page-side entry of the single door: server components call this (never read the
 * cookie themselves). Cached per request so a layout and its page share one lookup.
 */
export const getPageCaller = cache(async (): Promise<Caller | null> => {
  const store = await cookies();
  return authenticate({ sessionToken: store.get(SESSION_COOKIE)?.value });
});

/**
 * Redirects to sign-in if nobody is signed in, remembering the requested page and saying
 * the session ended when a (now invalid) cookie was presented.
 */
export async function requirePageCaller(): Promise<Caller> {
  const caller = await getPageCaller();
  if (!caller) {
    const hadCookie = (await cookies()).has(SESSION_COOKIE);
    const requested = (await headers()).get(PATH_HEADER);
    const returnTo = safeReturnPath(requested, "");
    const query = new URLSearchParams();
    if (returnTo && !returnTo.startsWith("/_next")) query.set("next", returnTo);
    if (hadCookie) query.set("reason", "expired");
    const suffix = query.size ? `?${query.toString()}` : "";
    redirect(`/sign-in${suffix}`);
  }
  return caller;
}

/** The signed-in caller's grants for this request (pages decide visibility with the same policy as the API). */
export const getPageProfile = cache(async () => {
  const caller = await requirePageCaller();
  const { loadAccessProfile } = await import("@/lib/server/access/profile");
  return loadAccessProfile(caller);
});
