import type { ReactNode } from "react";
import { Alert } from "./alert";
import { Spinner } from "./button";

/** Loading and error states shared by react-query driven views. */
export function QueryState({
  isPending,
  error,
  label,
  children,
}: {
  isPending: boolean;
  error: Error | null;
  label: string;
  children: ReactNode;
}) {
  if (error) return <Alert title={`${label} could not be loaded`}>{error.message}</Alert>;
  if (isPending) {
    return (
      <div role="status" className="flex items-center gap-2 py-6 text-sm text-slate-600">
        <Spinner /> Loading {label.toLowerCase()}…
      </div>
    );
  }
  return <>{children}</>;
}
