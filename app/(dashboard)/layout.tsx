import Link from "next/link";
import type { ReactNode } from "react";
import { Logo } from "@/components/shell/logo";
import { KeyboardShortcuts } from "@/components/shell/keyboard-shortcuts";
import { NavLinks } from "@/components/shell/nav-links";
import { ThemeSwitch } from "@/components/shell/theme-switch";
import { UserMenu } from "@/components/shell/user-menu";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { user } = await requirePageCaller();
  return (
    <div className="min-h-screen">
      <header className="theme-island bg-slate-950">
        <div className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-3 sm:px-6">
          <Link href="/overview" className="flex items-center gap-2 text-white">
            <Logo className="size-7" />
            <span className="font-semibold tracking-tight">Archipelago</span>
          </Link>
          <div className="min-w-0 flex-1">
            <NavLinks />
          </div>
          <ThemeSwitch />
          <UserMenu name={user.name} email={user.email} isAdmin={user.isAdmin} />
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">{children}</main>
      <KeyboardShortcuts />
    </div>
  );
}
