"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Section } from "@/components/ui/section";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createSubscription } from "@/lib/api/notifications";
import { teamsQuery } from "@/lib/queries/access";
import { notificationKeys } from "@/lib/queries/notifications";
import {
  NOTIFICATION_EVENT_LABELS,
  NOTIFICATION_EVENT_TYPES,
  type NotificationEventType,
  type NotificationFormatValue,
} from "@/lib/schemas/notifications";

const FLEET = "fleet";

/** A new subscription; its signing secret is shown once, here, after it is created. */
export function CreateSubscriptionForm({ isAdmin }: { isAdmin: boolean }) {
  const queryClient = useQueryClient();
  const teams = useQuery(teamsQuery());
  const ownTeams = (teams.data ?? []).filter((t) => isAdmin || t.myRole === "maintainer");
  const owners = [
    ...(isAdmin ? [{ value: FLEET, label: "Admins (the whole fleet)" }] : []),
    ...ownTeams.map((t) => ({ value: t.id, label: `Team ${t.name}` })),
  ];
  const [owner, setOwner] = useState<string>("");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [format, setFormat] = useState<NotificationFormatValue>("generic");
  const [events, setEvents] = useState<Set<NotificationEventType>>(new Set(["rollout.failed"]));
  const [minutes, setMinutes] = useState("5");
  const [secret, setSecret] = useState<string | null>(null);
  const chosenOwner = owner || owners[0]?.value || "";
  const create = useMutation({
    mutationFn: () =>
      createSubscription({
        teamId: chosenOwner === FLEET || chosenOwner === "" ? null : chosenOwner,
        name: name.trim(),
        url: url.trim(),
        format,
        eventTypes: NOTIFICATION_EVENT_TYPES.filter((type) => events.has(type)),
        unreachableMinutes: Number(minutes),
      }),
    onSuccess: (created) => {
      setSecret(created.signingSecret);
      setName("");
      setUrl("");
      void queryClient.invalidateQueries({ queryKey: notificationKeys.subscriptions });
    },
  });
  const error = create.error instanceof ApiError ? create.error : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSecret(null);
    create.mutate();
  };
  const toggle = (type: NotificationEventType) =>
    setEvents((current) => {
      const next = new Set(current);
      if (next.has(type)) next.delete(type);
      else next.add(type);
      return next;
    });

  if (!teams.isPending && owners.length === 0)
    return (
      <Section title="New subscription">
        <p className="text-sm text-slate-600">
          Team maintainers and admins subscribe webhooks. Ask a maintainer of your team.
        </p>
      </Section>
    );
  const eventErrors = Object.entries(error?.fields ?? {})
    .filter(([field]) => field.startsWith("eventTypes"))
    .flatMap(([, messages]) => messages);
  return (
    <Section title="New subscription">
      <form onSubmit={submit} className="space-y-4" noValidate>
        <div className="grid gap-3 sm:grid-cols-2">
          <SelectField
            label="Subscriber"
            value={chosenOwner}
            onChange={(e) => setOwner(e.target.value)}
            options={owners}
            errors={error?.fields.teamId}
          />
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} errors={error?.fields.name} />
          <TextField
            label="Webhook URL"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            errors={error?.fields.url}
            placeholder="https://hooks.example.com/archipelago"
            hint="Link-local, metadata and Archipelago's own addresses are refused."
          />
          <SelectField
            label="Format"
            value={format}
            onChange={(e) => setFormat(e.target.value as NotificationFormatValue)}
            options={[
              { value: "generic", label: "Generic JSON" },
              { value: "slack", label: "Slack-compatible message" },
            ]}
            errors={error?.fields.format}
          />
        </div>
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">Events</legend>
          <div className="mt-2 grid gap-2 sm:grid-cols-3">
            {NOTIFICATION_EVENT_TYPES.map((type) => (
              <label key={type} className="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" checked={events.has(type)} onChange={() => toggle(type)} />
                {NOTIFICATION_EVENT_LABELS[type]}
              </label>
            ))}
          </div>
          {eventErrors.length ? <p className="mt-1 text-sm text-red-600">{eventErrors.join(" ")}</p> : null}
        </fieldset>
        {events.has("cluster.unreachable") ? (
          <TextField
            label="Unreachable for at least (minutes)"
            type="number"
            min={1}
            max={1440}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            errors={error?.fields.unreachableMinutes}
            className="max-w-xs"
          />
        ) : null}
        <Button type="submit" pending={create.isPending}>
          Subscribe
        </Button>
      </form>
      {error && Object.keys(error.fields).length === 0 ? (
        <div className="mt-3">
          <Alert>{error.message}</Alert>
        </div>
      ) : null}
      {secret ? (
        <div className="mt-3">
          <Alert tone="success" title="Subscribed. Copy the signing secret now: it is not shown again.">
            <code data-testid="signing-secret" className="break-all font-mono">
              {secret}
            </code>
          </Alert>
        </div>
      ) : null}
    </Section>
  );
}
