import type { Metadata } from "next";
import Link from "next/link";
import { SetupForm } from "@/components/auth/setup-form";
import { Alert } from "@/components/ui/alert";
import { needsFirstAdmin } from "@/lib/server/auth/first-admin";

export const metadata: Metadata = { title: "First-run setup" };
export const dynamic = "force-dynamic";

export default async function SetupPage() {
  if (!(await needsFirstAdmin())) {
    return (
      <>
        <h1 className="text-lg font-semibold">Setup is complete</h1>
        <div className="mt-4">
          <Alert tone="info">
            An account already exists, so this page no longer creates admins. Ask an admin for an account.
          </Alert>
        </div>
        <Link href="/sign-in" className="mt-6 inline-block text-sm font-semibold text-indigo-600 hover:text-indigo-500">
          Go to sign in
        </Link>
      </>
    );
  }
  return (
    <>
      <h1 className="text-lg font-semibold">Create the first admin</h1>
      <p className="mt-1 text-sm text-slate-600">
        This page works once: as soon as an account exists, it stops creating admins.
      </p>
      <SetupForm />
    </>
  );
}
