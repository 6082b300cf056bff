import type { ReactNode } from "react";

export function Section({
  title,
  children,
  danger = false,
  actions,
}: {
  title: string;
  children: ReactNode;
  danger?: boolean;
  actions?: ReactNode;
}) {
  return (
    <section
      aria-label={title}
      className={`rounded-lg bg-white p-5 shadow-sm ring-1 ${danger ? "ring-red-200" : "ring-slate-200"}`}
    >
      <div className="mb-4 flex items-center justify-between gap-4">
        <h2 className={`text-base font-semibold ${danger ? "text-red-700" : "text-slate-900"}`}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
