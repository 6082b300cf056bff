"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { QueryState } from "@/components/ui/query-state";
import { RelativeTime } from "@/components/ui/relative-time";
import type { SubscriptionView } from "@/lib/api/notification-types";
import { deleteSubscription, testSubscription } from "@/lib/api/notifications";
import { deliveriesQuery, notificationKeys, subscriptionsQuery } from "@/lib/queries/notifications";
import { NOTIFICATION_EVENT_LABELS } from "@/lib/schemas/notifications";
import { CreateSubscriptionForm } from "./create-subscription-form";

export function NotificationsView({ isAdmin }: { isAdmin: boolean }) {
  const query = useQuery(subscriptionsQuery());
  return (
    <div className="space-y-6">
      <CreateSubscriptionForm isAdmin={isAdmin} />
      <QueryState isPending={query.isPending} error={query.error} label="Subscriptions">
        {query.data?.length === 0 ? (
          <EmptyState
            title="No subscriptions"
            description="Subscribe a webhook above to hear about rollouts, drift and unreachable clusters."
          />
        ) : (
          <ul className="space-y-3">
            {query.data?.map((s) => (
              <SubscriptionItem key={s.id} subscription={s} />
            ))}
          </ul>
        )}
      </QueryState>
    </div>
  );
}

function SubscriptionItem({ subscription: s }: { subscription: SubscriptionView }) {
  const queryClient = useQueryClient();
  const [showLog, setShowLog] = useState(false);
  const remove = useMutation({
    mutationFn: () => deleteSubscription(s.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: notificationKeys.subscriptions }),
  });
  const test = useMutation({ mutationFn: () => testSubscription(s.id) });
  return (
    <li
      data-testid={`subscription-${s.name}`}
      aria-label={`Subscription ${s.name}`}
      className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="font-medium text-slate-900">{s.name}</p>
          <p className="text-sm text-slate-600">
            {s.teamName ? `Team ${s.teamName}` : "Admins (whole fleet)"} · {s.urlPreview} ·{" "}
            {s.format === "slack" ? "Slack" : "generic JSON"}
          </p>
          <p className="mt-1 text-xs text-slate-500">
            {s.eventTypes.map((t) => NOTIFICATION_EVENT_LABELS[t] ?? t).join(", ")}
          </p>
        </div>
        <div className="flex gap-2">
          <Button variant="secondary" onClick={() => setShowLog((v) => !v)} aria-expanded={showLog}>
            {showLog ? "Hide deliveries" : "Deliveries"}
          </Button>
          {s.canManage ? (
            <>
              <Button variant="secondary" pending={test.isPending} onClick={() => test.mutate()}>
                Send test
              </Button>
              <Button
                variant="danger"
                pending={remove.isPending}
                onClick={() => {
                  if (window.confirm(`Delete subscription ${s.name}? Its delivery log goes with it.`)) remove.mutate();
                }}
              >
                Delete
              </Button>
            </>
          ) : null}
        </div>
      </div>
      {test.data ? (
        <div className="mt-3">
          <Alert tone={test.data.ok ? "success" : "warning"}>
            {test.data.ok
              ? `Test delivered: ${test.data.statusCode} in ${test.data.durationMs} ms`
              : `Test not accepted: ${test.data.error ?? "no answer"}`}
          </Alert>
        </div>
      ) : null}
      {test.error || remove.error ? (
        <div className="mt-3">
          <Alert>{(test.error ?? remove.error)!.message}</Alert>
        </div>
      ) : null}
      {showLog ? <DeliveryLog id={s.id} /> : null}
    </li>
  );
}

function DeliveryLog({ id }: { id: string }) {
  const query = useQuery({ ...deliveriesQuery(id), refetchInterval: 5000 });
  return (
    <div className="mt-3">
      <QueryState isPending={query.isPending} error={query.error} label="Deliveries">
        {query.data?.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing delivered yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Deliveries</caption>
            <thead className="text-xs text-slate-500">
              <tr>
                <th className="py-1">Event</th>
                <th>State</th>
                <th>Attempts (status, duration)</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {query.data?.map((d) => (
                <tr key={d.id}>
                  <td className="py-1">{d.eventType}</td>
                  <td>{d.state}</td>
                  <td>
                    {d.tries
                      .map(
                        (t) =>
                          `#${t.attempt} ${t.statusCode ?? "—"} ${t.durationMs} ms${t.error ? ` (${t.error})` : ""}`,
                      )
                      .join("; ") || "—"}
                  </td>
                  <td>
                    <RelativeTime iso={d.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </div>
  );
}
