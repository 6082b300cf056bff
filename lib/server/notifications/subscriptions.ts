import "server-only";
import { randomUUID } from "node:crypto";
import type { CreatedSubscriptionView, DeliveryView, SubscriptionView } from "@/lib/api/notification-types";
import type { CreateSubscriptionBody, NotificationEventType } from "@/lib/schemas/notifications";
import type { AccessProfile } from "@/lib/server/access/policy";
import {
  decideSubscriptionManage,
  decideSubscriptionRead,
  type SubscriptionOwner,
} from "@/lib/server/access/subscriber";
import { db } from "@/lib/server/db/client";
import { forbidden, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { isUuid } from "@/lib/schemas/ids";
import { newWebhookSecret, openWebhookSecret } from "@/lib/server/secrets/webhook-secret";
import { formatBody } from "./format";
import { sendWebhook, type SendOutcome } from "./send";
import { webhookAddressProblem } from "./webhook-address";

type Row = {
  id: string;
  teamId: string | null;
  name: string;
  url: string;
  format: "generic" | "slack";
  eventTypes: string[];
  unreachableMinutes: number;
  createdByEmail: string;
  createdAt: Date;
  team: { name: string } | null;
};

const SELECT = {
  id: true,
  teamId: true,
  name: true,
  url: true,
  format: true,
  eventTypes: true,
  unreachableMinutes: true,
  createdByEmail: true,
  createdAt: true,
  team: { select: { name: true } },
} as const;

function view(profile: AccessProfile, row: Row): SubscriptionView {
  return {
    id: row.id,
    teamId: row.teamId,
    teamName: row.team?.name ?? null,
    name: row.name,
    urlPreview: urlPreview(row.url),
    format: row.format,
    eventTypes: row.eventTypes as NotificationEventType[],
    unreachableMinutes: row.unreachableMinutes,
    createdByEmail: row.createdByEmail,
    createdAt: row.createdAt.toISOString(),
    canManage: decideSubscriptionManage(profile, row) === "allowed",
  };
}

/**
 * A webhook URL's path and query often are its credential (Slack's incoming webhooks): only
 * the origin is shown again, in lists and audit details; the full URL never leaves after saving.
 */
export function urlPreview(raw: string): string {
  const url = new URL(raw);
  return url.pathname === "/" && !url.search ? url.origin : `${url.origin}/…`;
}

/** The subscriptions the caller may read (access/subscriber.ts), newest first. */
export async function listSubscriptions(profile: AccessProfile): Promise<SubscriptionView[]> {
  const rows = await db().notificationSubscription.findMany({
    where: profile.isAdmin ? {} : { teamId: { in: [...profile.memberOf] } },
    select: SELECT,
    orderBy: { createdAt: "desc" },
  });
  return rows.filter((row) => decideSubscriptionRead(profile, row) === "allowed").map((row) => view(profile, row));
}

/** Creates a subscription; its signing secret is returned here once and only sealed afterwards. */
export async function createSubscription(
  profile: AccessProfile,
  body: CreateSubscriptionBody,
  actor: { id: string; email: string },
): Promise<CreatedSubscriptionView> {
  const owner: SubscriptionOwner = { teamId: body.teamId };
  if (body.teamId !== null) {
    const team = await db().team.findUnique({ where: { id: body.teamId }, select: { id: true } });
    const decision = team ? decideSubscriptionManage(profile, owner) : "hidden";
    // An unknown team and one the caller cannot see get the same answer.
    if (decision === "hidden") throw validationFailed({ teamId: ["No team with this id"] });
    if (decision === "forbidden") throw forbidden("Only the team's maintainers and admins can subscribe it");
  } else if (decideSubscriptionManage(profile, owner) !== "allowed")
    throw validationFailed({ teamId: ["Choose a team: only admins subscribe to the whole fleet"] });
  const problem = await webhookAddressProblem(body.url);
  if (problem) throw validationFailed({ url: [problem] });

  const id = randomUUID();
  const { secret, envelope } = newWebhookSecret(id);
  const row = await db().notificationSubscription.create({
    data: {
      id,
      teamId: body.teamId,
      name: body.name,
      url: body.url,
      format: body.format,
      eventTypes: [...new Set(body.eventTypes)],
      unreachableMinutes: body.unreachableMinutes,
      secretEnvelope: envelope as object,
      createdById: actor.id,
      createdByEmail: actor.email,
    },
    select: SELECT,
  });
  return { subscription: view(profile, row), signingSecret: secret };
}

async function loadFor(profile: AccessProfile, id: string, need: "read" | "manage"): Promise<Row> {
  if (!isUuid(id)) throw notFound("Subscription");
  const row = await db().notificationSubscription.findUnique({ where: { id }, select: SELECT });
  if (!row) throw notFound("Subscription");
  const decision = need === "read" ? decideSubscriptionRead(profile, row) : decideSubscriptionManage(profile, row);
  if (decision === "hidden") throw notFound("Subscription");
  if (decision === "forbidden") throw forbidden("Only the team's maintainers and admins can change its subscriptions");
  return row;
}

/** Deletes a subscription (its deliveries and their log go with it). Returns what the audit names. */
export async function deleteSubscription(profile: AccessProfile, id: string): Promise<SubscriptionView> {
  const row = await loadFor(profile, id, "manage");
  await db().notificationSubscription.delete({ where: { id } });
  return view(profile, row);
}

/** Sends a signed test event now (not through the outbox) and says how the receiver answered. */
export async function testSubscription(profile: AccessProfile, id: string): Promise<SendOutcome> {
  const row = await loadFor(profile, id, "manage");
  // The address is checked again here: a name may resolve elsewhere now (the connection checks too).
  const problem = await webhookAddressProblem(row.url);
  if (problem) throw validationFailed({ url: [problem] });
  const sealed = await db().notificationSubscription.findUniqueOrThrow({
    where: { id },
    select: { secretEnvelope: true },
  });
  const secret = openWebhookSecret(id, sealed.secretEnvelope);
  try {
    const body = formatBody(row.format, {
      id: "0",
      type: "test",
      occurredAt: new Date().toISOString(),
      subscriptionId: id,
      subject: { message: `Test from Archipelago for subscription ${row.name}` },
      clusters: [],
    });
    return await sendWebhook(row.url, body, secret);
  } finally {
    secret.fill(0);
  }
}

/** The delivery log of a subscription, newest first. */
export async function listDeliveries(profile: AccessProfile, id: string, limit = 100): Promise<DeliveryView[]> {
  await loadFor(profile, id, "read");
  const rows = await db().notificationDelivery.findMany({
    where: { subscriptionId: id },
    orderBy: { id: "desc" },
    take: limit,
    include: { tries: { orderBy: { attempt: "asc" } } },
  });
  return rows.map((row) => ({
    id: String(row.id),
    eventId: String(row.eventId),
    eventType: row.eventType,
    state: row.state,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    tries: row.tries.map((t) => ({
      attempt: t.attempt,
      at: t.at.toISOString(),
      statusCode: t.statusCode,
      durationMs: t.durationMs,
      error: t.error,
    })),
  }));
}
