import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { ChangeWindowRow, FreezeRow } from "@/lib/api/change-windows";
import type { ChangeWindowBody, FreezeBody } from "@/lib/schemas/change-windows";
import { isUuid } from "@/lib/schemas/ids";
import { db } from "@/lib/server/db/client";
import { conflict, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { parseWindowCron, windowAt, type StoredFreeze, type StoredWindow } from "./change-windows";
import { requireAdmin } from "./guard";
import type { AccessProfile } from "./policy";

/** Admin-managed change windows and freezes (what they decide: change-windows.ts). */

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Every window and freeze, as the engine and the start read them (one query each). */
export async function loadChangeCalendar(): Promise<{ windows: StoredWindow[]; freezes: StoredFreeze[] }> {
  const [windows, freezes] = await Promise.all([
    db().changeWindow.findMany({ orderBy: { name: "asc" } }),
    // Freezes already over decide nothing.
    db().changeFreeze.findMany({ where: { endsAt: { gt: new Date() } }, orderBy: { name: "asc" } }),
  ]);
  return { windows, freezes };
}

export async function listChangeWindows(profile: AccessProfile, now = new Date()): Promise<ChangeWindowRow[]> {
  requireAdmin(profile);
  const rows = await db().changeWindow.findMany({ orderBy: { name: "asc" } });
  return rows.map((row) => {
    const state = windowAt(row, now);
    return {
      id: row.id,
      name: row.name,
      kind: row.cron ? ("recurring" as const) : ("once" as const),
      clusterSelector: row.clusterSelector,
      cron: row.cron,
      timeZone: row.timeZone,
      durationMinutes: row.durationMinutes,
      startsAt: iso(row.startsAt),
      endsAt: iso(row.endsAt),
      openNow: state.open,
      closesAt: iso(state.closesAt),
      nextOpening: iso(state.opensAt),
      createdByEmail: row.createdByEmail,
      createdAt: row.createdAt.toISOString(),
    };
  });
}

function taken(error: unknown, what: string, name: string): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
    throw conflict(`A ${what} named ${name} exists`, { name: ["This name is taken"] });
  throw error;
}

export async function createChangeWindow(profile: AccessProfile, body: ChangeWindowBody) {
  requireAdmin(profile);
  if (body.kind === "recurring") {
    try {
      parseWindowCron(body.cron, body.timeZone, new Date()).next();
    } catch (error) {
      throw validationFailed({ cron: [`Not a valid cron expression: ${(error as Error).message}`] });
    }
  }
  const data =
    body.kind === "recurring"
      ? { cron: body.cron, timeZone: body.timeZone, durationMinutes: body.durationMinutes }
      : { startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) };
  try {
    return await db().changeWindow.create({
      data: { name: body.name, clusterSelector: body.clusterSelector, ...data, createdByEmail: profile.email },
      select: { id: true, name: true },
    });
  } catch (error) {
    taken(error, "change window", body.name);
  }
}

/** Deleting a window lets waiting waves of matching clusters run at their next re-check. */
export async function deleteChangeWindow(profile: AccessProfile, id: string) {
  requireAdmin(profile);
  const deleted = isUuid(id) ? await db().changeWindow.deleteMany({ where: { id } }) : { count: 0 };
  if (deleted.count === 0) throw notFound("Change window");
}

export async function listFreezes(profile: AccessProfile, now = new Date()): Promise<FreezeRow[]> {
  requireAdmin(profile);
  const rows = await db().changeFreeze.findMany({ orderBy: [{ startsAt: "asc" }, { name: "asc" }] });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    clusterSelector: row.clusterSelector,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    reason: row.reason,
    activeNow: now >= row.startsAt && now < row.endsAt,
    createdByEmail: row.createdByEmail,
    createdAt: row.createdAt.toISOString(),
  }));
}

export async function createFreeze(profile: AccessProfile, body: FreezeBody) {
  requireAdmin(profile);
  try {
    return await db().changeFreeze.create({
      data: {
        name: body.name,
        clusterSelector: body.clusterSelector,
        startsAt: new Date(body.startsAt),
        endsAt: new Date(body.endsAt),
        reason: body.reason,
        createdByEmail: profile.email,
      },
      select: { id: true, name: true },
    });
  } catch (error) {
    taken(error, "freeze", body.name);
  }
}

export async function deleteFreeze(profile: AccessProfile, id: string) {
  requireAdmin(profile);
  const deleted = isUuid(id) ? await db().changeFreeze.deleteMany({ where: { id } }) : { count: 0 };
  if (deleted.count === 0) throw notFound("Freeze");
}
