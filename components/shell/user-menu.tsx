"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { apiFetch } from "@/lib/api/client";

interface Props {
  name: string;
  email: string;
  isAdmin: boolean;
}

export function UserMenu({ name, email, isAdmin }: Props) {
  const [open, setOpen] = useState(false);
  const container = useRef<HTMLDivElement>(null);
  const router = useRouter();
  const queryClient = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => apiFetch<{ endSessionUrl?: string | null }>("/api/v1/auth/sign-out", { method: "POST" }),
    onSettled: (result) => {
      // Nothing the signed-out user loaded may linger in memory.
      queryClient.clear();
      // Signed in through a provider that offers RP-initiated logout: sign out there too.
      if (result?.endSessionUrl) {
        window.location.assign(result.endSessionUrl);
        return;
      }
      router.replace("/sign-in");
      router.refresh();
    },
  });

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (
        event instanceof KeyboardEvent ? event.key === "Escape" : !container.current?.contains(event.target as Node)
      ) {
        setOpen(false);
      }
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  return (
    <div ref={container} className="relative">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((value) => !value)}
        className="flex items-center gap-2 rounded-full py-1 pl-1 pr-3 text-sm text-slate-200 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-white"
      >
        <span className="flex size-7 items-center justify-center rounded-full bg-indigo-500 text-xs font-semibold text-white">
          {initials(name)}
        </span>
        <span className="hidden sm:inline">{name}</span>
      </button>
      {open ? (
        <div
          role="menu"
          className="theme-follow absolute right-0 z-20 mt-2 w-64 rounded-md bg-white py-1 shadow-lg ring-1 ring-slate-200"
        >
          <div className="border-b border-slate-100 px-4 py-3">
            <p className="truncate text-sm font-medium text-slate-900">{name}</p>
            <p className="truncate text-xs text-slate-500">{email}</p>
            {isAdmin ? <p className="mt-1 text-xs font-semibold text-indigo-600">Administrator</p> : null}
          </div>
          <Link
            href="/account/tokens"
            role="menuitem"
            onClick={() => setOpen(false)}
            className="block px-4 py-2 text-sm text-slate-700 hover:bg-slate-50 focus:bg-slate-50 focus:outline-none"
          >
            API tokens
          </Link>
          <button
            type="button"
            role="menuitem"
            disabled={signOut.isPending}
            onClick={() => signOut.mutate()}
            className="block w-full px-4 py-2 text-left text-sm text-slate-700 hover:bg-slate-50 focus:bg-slate-50 focus:outline-none"
          >
            {signOut.isPending ? "Signing out…" : "Sign out"}
          </button>
        </div>
      ) : null}
    </div>
  );
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? "")
    .join("");
}
