import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { needsFirstAdmin } from "@/lib/server/auth/first-admin";
import { getPageCaller } from "@/lib/server/http/page-caller";
import { safeReturnPath } from "@/lib/schemas/return-path";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; reason?: string }>;
}) {
  const { next, reason } = await searchParams;
  const returnTo = safeReturnPath(next);
  if (await needsFirstAdmin()) redirect("/setup");
  if (await getPageCaller()) redirect(returnTo);
  return (
    <>
      <h1 className="text-lg font-semibold">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">Use the account your Archipelago admin gave you.</p>
      <SignInForm returnTo={returnTo} expired={reason === "expired"} />
    </>
  );
}
