import "server-only";
import type { InventoryViewView } from "@/lib/api/inventory-view-types";
import { isUuid } from "@/lib/schemas/ids";
import { inventoryViewFiltersSchema, type CreateInventoryViewBody } from "@/lib/schemas/inventory-views";
import {
  decideInventoryViewDelete,
  decideInventoryViewRead,
  mayShareInventoryViewWith,
} from "@/lib/server/access/inventory-views";
import type { AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { conflict, forbidden, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { Prisma } from "@/lib/generated/prisma/client";

const SELECT = {
  id: true,
  ownerId: true,
  teamId: true,
  name: true,
  filters: true,
  createdAt: true,
  owner: { select: { email: true } },
  team: { select: { name: true } },
} as const;
type Row = Prisma.InventoryViewGetPayload<{ select: typeof SELECT }>;

function view(profile: AccessProfile, row: Row): InventoryViewView {
  return {
    id: row.id,
    name: row.name,
    teamId: row.teamId,
    teamName: row.team?.name ?? null,
    ownerEmail: row.owner.email,
    mine: row.ownerId === profile.userId,
    filters: inventoryViewFiltersSchema.parse(row.filters),
    createdAt: row.createdAt.toISOString(),
  };
}

/** The caller's own views and those shared with its teams, by name. */
export async function listInventoryViews(profile: AccessProfile): Promise<InventoryViewView[]> {
  const rows = await db().inventoryView.findMany({
    where: { OR: [{ ownerId: profile.userId }, { teamId: { in: [...profile.memberOf] } }] },
    select: SELECT,
    orderBy: [{ name: "asc" }, { createdAt: "asc" }],
  });
  return rows.filter((row) => decideInventoryViewRead(profile, row) === "allowed").map((row) => view(profile, row));
}

/** Saves a view; a name the caller already uses is refused at the field (409). */
export async function createInventoryView(
  profile: AccessProfile,
  body: CreateInventoryViewBody,
): Promise<InventoryViewView> {
  // A team the caller is not in answers like one that does not exist.
  if (body.teamId !== null && !mayShareInventoryViewWith(profile, body.teamId))
    throw validationFailed({ teamId: ["No team of yours with this id"] });
  try {
    const row = await db().inventoryView.create({
      data: { ownerId: profile.userId, teamId: body.teamId, name: body.name, filters: body.filters as object },
      select: SELECT,
    });
    return view(profile, row);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw conflict(`You already have a view named "${body.name}"`, {
        name: [`You already have a view named "${body.name}"`],
      });
    throw error;
  }
}

/** Deletes one of the caller's views. Returns what the audit names. */
export async function deleteInventoryView(profile: AccessProfile, id: string): Promise<InventoryViewView> {
  if (!isUuid(id)) throw notFound("View");
  const row = await db().inventoryView.findUnique({ where: { id }, select: SELECT });
  const decision = row ? decideInventoryViewDelete(profile, row) : "hidden";
  if (!row || decision === "hidden") throw notFound("View");
  if (decision === "forbidden") throw forbidden("Only its owner can delete a view");
  await db().inventoryView.delete({ where: { id } });
  return view(profile, row);
}
