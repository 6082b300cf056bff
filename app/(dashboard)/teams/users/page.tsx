import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { UserAdmin } from "@/components/users/user-admin";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const { user } = await requirePageCaller();
  if (!user.isAdmin) notFound();
  return (
    <>
      <Link href="/teams" className="text-sm text-indigo-700 hover:underline">
        ← Teams
      </Link>
      <PageHeader
        title="Users"
        description="Disabling a user or resetting a password ends their sessions at once; disabled users' API tokens stop working too."
      />
      <UserAdmin currentUserId={user.id} />
    </>
  );
}
