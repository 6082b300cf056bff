import "server-only";
import { createTwoFilesPatch } from "diff";
import { stringify } from "yaml";
import type { RevisionView, TemplateSummary, TemplateView } from "@/lib/api/rollout-types";
import type { CreateTemplateBody, SaveRevisionBody, TemplateOverride } from "@/lib/schemas/templates";
import { requireOnTemplate } from "@/lib/server/access/coverage";
import { ownerTeamView, resolveOwnerTeam } from "@/lib/server/access/owner-team";
import type { AccessProfile } from "@/lib/server/access/policy";
import { decide, templateOwnersFor, type ResourceAction } from "@/lib/server/access/resource-rules";
import { forbidden, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { db } from "@/lib/server/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { lintRevision } from "./lint";

export type { RevisionView, TemplateView };

type RevisionRow = Prisma.TemplateRevisionGetPayload<object>;

const toRevision = (row: RevisionRow): RevisionView => ({
  id: row.id,
  number: row.number,
  schema: row.schema as Record<string, unknown>,
  body: row.body,
  overrides: row.overrides as TemplateOverride[],
  authorEmail: row.authorEmail,
  message: row.message,
  createdAt: row.createdAt.toISOString(),
});

/** The template, if the caller may do `action` with it (rules `template.*` in lib/server/access/resource-rules.ts). */
export const requireTemplate = (profile: AccessProfile, action: ResourceAction, id: string) =>
  requireOnTemplate(profile, action, id);

/** Templates the caller may read: their teams' and the global ones (admins: all). */
export async function listTemplates(profile: AccessProfile): Promise<TemplateSummary[]> {
  const owners = templateOwnersFor(profile);
  const where =
    owners === "all" ? {} : { OR: [...(owners.global ? [{ teamId: null }] : []), { teamId: { in: owners.teamIds } }] };
  const templates = await db().template.findMany({
    where,
    include: { team: { select: { id: true, name: true } }, revisions: { orderBy: { number: "desc" }, take: 1 } },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  return templates.map((t) => ({
    id: t.id,
    team: ownerTeamView(t.team),
    name: t.name,
    description: t.description,
    latestRevision: t.revisions[0]?.number ?? 0,
    updatedAt: t.updatedAt.toISOString(),
  }));
}

export async function getTemplate(profile: AccessProfile, id: string): Promise<TemplateView> {
  await requireTemplate(profile, "template.read", id);
  const template = await db().template.findUnique({
    where: { id },
    include: { team: { select: { id: true, name: true } }, revisions: { orderBy: { number: "desc" } } },
  });
  if (!template || template.revisions.length === 0) throw notFound("Template");
  return {
    id: template.id,
    team: ownerTeamView(template.team),
    name: template.name,
    description: template.description,
    latest: toRevision(template.revisions[0]!),
    revisions: template.revisions.map((r) => ({
      id: r.id,
      number: r.number,
      authorEmail: r.authorEmail,
      message: r.message,
      createdAt: r.createdAt.toISOString(),
    })),
  };
}

export async function getRevision(profile: AccessProfile, templateId: string, number: number): Promise<RevisionView> {
  await requireTemplate(profile, "template.read", templateId);
  const row = await db().templateRevision.findUnique({ where: { templateId_number: { templateId, number } } });
  if (!row) throw notFound("Template revision");
  return toRevision(row);
}

/** Global templates (no team) are made by admins; a team's by its members with deploy somewhere. */
async function ownerOfNewTemplate(
  profile: AccessProfile,
  requested: string | null | undefined,
): Promise<string | null> {
  const teamId = await resolveOwnerTeam(profile, requested, {
    noun: "that owns this template",
    action: "Writing templates",
  });
  if (decide(profile, "template.write", { teamId, places: [] }) !== "allowed")
    throw forbidden("Writing templates needs deploy access to at least one namespace");
  return teamId;
}

const NAME_LOCK = 4_207_402;

export async function createTemplate(profile: AccessProfile, input: CreateTemplateBody): Promise<TemplateView> {
  const teamId = await ownerOfNewTemplate(profile, input.teamId);
  const problems = await lintRevision(profile, input);
  if (Object.keys(problems).length) throw validationFailed(problems, "The template has problems; nothing was saved");
  const taken = () => validationFailed({ name: [`This team already has a template named "${input.name}"`] });
  try {
    const id = await db().$transaction(async (tx) => {
      // Names are unique per owner; the unique index cannot cover global templates (NULL team), so they take a lock.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${NAME_LOCK})`;
      if (await tx.template.findFirst({ where: { teamId, name: input.name }, select: { id: true } })) throw taken();
      const template = await tx.template.create({
        data: {
          teamId,
          name: input.name,
          description: input.description,
          revisions: {
            create: {
              number: 1,
              schema: input.schema as object,
              body: input.body,
              overrides: input.overrides as object[],
              authorId: profile.userId,
              authorEmail: profile.email,
              message: input.message,
            },
          },
        },
      });
      return template.id;
    });
    return getTemplate(profile, id);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw taken();
    throw error;
  }
}

const REVISION_LOCK = 4_207_401;

/** Every save is a new numbered revision; revisions are never changed. */
export async function saveRevision(
  profile: AccessProfile,
  templateId: string,
  input: SaveRevisionBody,
): Promise<TemplateView> {
  await requireTemplate(profile, "template.write", templateId);
  const problems = await lintRevision(profile, input);
  if (Object.keys(problems).length) throw validationFailed(problems, "The revision has problems; nothing was saved");
  await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${REVISION_LOCK})`;
    const last = await tx.templateRevision.findFirst({
      where: { templateId },
      orderBy: { number: "desc" },
      select: { number: true },
    });
    await tx.templateRevision.create({
      data: {
        templateId,
        number: (last?.number ?? 0) + 1,
        schema: input.schema as object,
        body: input.body,
        overrides: input.overrides as object[],
        authorId: profile.userId,
        authorEmail: profile.email,
        message: input.message,
      },
    });
    await tx.template.update({ where: { id: templateId }, data: { updatedAt: new Date() } });
  });
  return getTemplate(profile, templateId);
}

/** A readable diff of two revisions: body, schema and overrides. */
export async function diffRevisions(
  profile: AccessProfile,
  templateId: string,
  from: number,
  to: number,
): Promise<string> {
  const [a, b] = await Promise.all([getRevision(profile, templateId, from), getRevision(profile, templateId, to)]);
  const text = (r: RevisionView) =>
    `# body\n${r.body.endsWith("\n") ? r.body : `${r.body}\n`}# schema\n${stringify(r.schema)}# overrides\n${stringify(r.overrides)}`;
  return createTwoFilesPatch(`revision ${from}`, `revision ${to}`, text(a), text(b), "", "", { context: 3 });
}
