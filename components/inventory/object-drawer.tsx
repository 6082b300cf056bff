"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { revealSecret } from "@/lib/api/inventory";
import type { InventoryRow } from "@/lib/api/inventory-types";
import { KINDS } from "@/lib/k8s/kinds";
import { objectQuery } from "@/lib/queries/inventory";
import { ComparePanel } from "./compare-panel";

interface Props {
  row: InventoryRow;
  onClose: () => void;
}

/** Details of one object. Secret values appear only after an audited reveal and vanish when the drawer closes. */
export function ObjectDrawer({ row, onClose }: Props) {
  const detail = useQuery(objectQuery(row.clusterId, row.kind, row.namespace, row.name));
  const reveal = useMutation({
    mutationFn: () => revealSecret({ cluster: row.clusterId, namespace: row.namespace, name: row.name }),
  });
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeButton.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && onClose();
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [onClose]);

  return (
    <aside
      role="dialog"
      aria-modal="false"
      aria-label={`${KINDS[row.kind].kind} ${row.name}`}
      className="fixed inset-y-0 right-0 z-30 flex w-full max-w-2xl flex-col bg-white shadow-2xl ring-1 ring-slate-200"
    >
      <header className="flex items-start justify-between gap-4 border-b border-slate-200 p-4">
        <div>
          <p className="text-xs uppercase tracking-wide text-slate-500">
            {KINDS[row.kind].kind} ·{" "}
            <Link href={`/clusters/${row.clusterId}`} className="text-indigo-700 hover:underline">
              {row.clusterName}
            </Link>{" "}
            · {row.namespace}
          </p>
          <h2 className="text-lg font-semibold">{row.name}</h2>
        </div>
        <Button ref={closeButton} variant="ghost" onClick={onClose} aria-label="Close details">
          ✕
        </Button>
      </header>
      <div className="flex-1 space-y-5 overflow-y-auto p-4">
        <QueryState isPending={detail.isPending} error={detail.error} label="Details">
          {detail.data ? (
            <>
              {row.kind === "secrets" ? (
                <section aria-label="Secret keys">
                  <h3 className="mb-2 text-sm font-semibold">Keys</h3>
                  <table className="w-full text-sm">
                    <tbody className="divide-y divide-slate-100">
                      {detail.data.secretKeys?.map((entry) => {
                        const value = reveal.data?.data.find((d) => d.key === entry.key);
                        return (
                          <tr key={entry.key}>
                            <td className="py-1 pr-4 font-mono text-xs">{entry.key}</td>
                            <td className="py-1 pr-4 text-xs text-slate-500">{entry.size} bytes</td>
                            <td className="py-1 font-mono text-xs" data-testid={`secret-value-${entry.key}`}>
                              {value ? (
                                <span className="break-all">
                                  {value.value}
                                  {value.encoding === "base64" ? " (base64)" : ""}
                                </span>
                              ) : (
                                "••••••••"
                              )}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                  {detail.data.canReveal ? (
                    <div className="mt-3 flex items-center gap-3">
                      {reveal.data ? (
                        <Button variant="secondary" onClick={() => reveal.reset()}>
                          Hide values
                        </Button>
                      ) : (
                        <Button variant="danger" pending={reveal.isPending} onClick={() => reveal.mutate()}>
                          Reveal values
                        </Button>
                      )}
                      <p className="text-xs text-slate-500">Every reveal is recorded in the audit log.</p>
                    </div>
                  ) : (
                    <p className="mt-3 text-xs text-slate-500">
                      Your grants show this secret&apos;s keys, not its values.
                    </p>
                  )}
                  {reveal.error ? (
                    <div className="mt-2">
                      <Alert>{reveal.error.message}</Alert>
                    </div>
                  ) : null}
                </section>
              ) : null}

              {detail.data.pods.length ? (
                <section aria-label="Pods">
                  <h3 className="mb-2 text-sm font-semibold">Pods</h3>
                  <table className="w-full text-xs">
                    <thead className="text-left text-slate-500">
                      <tr>
                        <th className="py-1">Name</th>
                        <th>Phase</th>
                        <th>Ready</th>
                        <th>Restarts</th>
                        <th>Node</th>
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-100">
                      {detail.data.pods.map((pod) => (
                        <tr key={pod.name}>
                          <td className="py-1 font-mono">{pod.name}</td>
                          <td>{pod.phase}</td>
                          <td>{pod.ready}</td>
                          <td className={pod.restarts > 0 ? "text-amber-700" : ""}>{pod.restarts}</td>
                          <td>{pod.node ?? "—"}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
              ) : null}

              {KINDS[row.kind].category === "workloads" ? (
                <section aria-label="Events">
                  <h3 className="mb-2 text-sm font-semibold">Events</h3>
                  {detail.data.events.length === 0 ? <p className="text-xs text-slate-500">No recent events.</p> : null}
                  <ul className="space-y-1 text-xs">
                    {detail.data.events.map((event, index) => (
                      <li key={index} className={event.type === "Warning" ? "text-amber-800" : "text-slate-700"}>
                        <span className="font-semibold">{event.reason}</span> ({event.count}×) {event.message}
                      </li>
                    ))}
                  </ul>
                </section>
              ) : null}

              <ComparePanel kind={row.kind} namespace={row.namespace} name={row.name} defaultBaseline={row.clusterId} />

              <section aria-label="YAML">
                <h3 className="mb-2 text-sm font-semibold">YAML</h3>
                <pre className="theme-island max-h-96 overflow-auto rounded bg-slate-950 p-3 text-[11px] leading-relaxed text-slate-100">
                  {detail.data.yaml}
                </pre>
              </section>
            </>
          ) : null}
        </QueryState>
      </div>
    </aside>
  );
}
