import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { ApprovalPolicyBody } from "@/lib/schemas/change-control";
import { isUuid } from "@/lib/schemas/ids";
import { db } from "@/lib/server/db/client";
import { conflict, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { requireAdmin } from "./guard";
import type { AccessProfile } from "./policy";

/** Admin-managed approval policies (what they decide: approval-rules.ts). */

export async function listApprovalPolicies(profile: AccessProfile) {
  requireAdmin(profile);
  const rows = await db().approvalPolicy.findMany({ orderBy: { name: "asc" } });
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}

export async function createApprovalPolicy(profile: AccessProfile, body: ApprovalPolicyBody) {
  requireAdmin(profile);
  const teamIds = [...new Set(body.approverTeamIds)];
  const found = new Set(
    (await db().team.findMany({ where: { id: { in: teamIds } }, select: { id: true } })).map((t) => t.id),
  );
  const problems: Record<string, string[]> = {};
  body.approverTeamIds.forEach((id, index) => {
    if (!found.has(id)) problems[`approverTeamIds.${index}`] = [`No team with id ${id}`];
  });
  if (Object.keys(problems).length) throw validationFailed(problems);
  try {
    return await db().approvalPolicy.create({
      data: { ...body, approverTeamIds: teamIds, createdByEmail: profile.email },
      select: { id: true, name: true },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw conflict(`An approval policy named ${body.name} exists`, { name: ["This name is taken"] });
    throw error;
  }
}

/** Deleting a policy releases no rollout already waiting: those keep the snapshot they were created with. */
export async function deleteApprovalPolicy(profile: AccessProfile, id: string) {
  requireAdmin(profile);
  const deleted = isUuid(id) ? await db().approvalPolicy.deleteMany({ where: { id } }) : { count: 0 };
  if (deleted.count === 0) throw notFound("Approval policy");
}
