import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AuthSettingsForm } from "@/components/sso/auth-settings-form";
import { SsoAdmin } from "@/components/sso/sso-admin";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Single sign-on" };

export default async function SsoPage() {
  const { user } = await requirePageCaller();
  if (!user.isAdmin) notFound();
  return (
    <>
      <Link href="/teams" className="text-sm text-indigo-700 hover:underline">
        ← Teams
      </Link>
      <PageHeader
        title="Single sign-on"
        description="OpenID Connect providers, and which of their groups put people in which team. Teams from groups are set again at every sign-in."
      />
      <div className="space-y-6">
        <SsoAdmin />
        <AuthSettingsForm />
      </div>
    </>
  );
}
