import "server-only";
import { createTwoFilesPatch } from "diff";
import { stringify } from "yaml";
import type { RevisionView, TemplateView } from "@/lib/api/rollout-types";
import type { CreateTemplateBody, SaveRevisionBody, TemplateOverride } from "@/lib/schemas/templates";

export type { RevisionView, TemplateView };
import { forbidden, notFound, validationFailed } from "@/lib/server/errors/app-error";
import { allowsOnSomeCluster, type AccessProfile } from "@/lib/server/access/policy";
import { db } from "@/lib/server/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { lintRevision } from "./lint";
import { isUuid } from "@/lib/schemas/ids";

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

/** Writing templates needs deploy somewhere (or admin): what cannot be deployed by its author is noise. */
function requireAuthor(profile: AccessProfile): void {
  if (!allowsOnSomeCluster(profile, { level: "deploy" }))
    throw forbidden("Writing templates needs deploy access to at least one namespace");
}

export async function listTemplates() {
  const templates = await db().template.findMany({
    include: { revisions: { orderBy: { number: "desc" }, take: 1 } },
    orderBy: { name: "asc" },
  });
  return templates.map((t) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    latestRevision: t.revisions[0]?.number ?? 0,
    updatedAt: t.updatedAt.toISOString(),
  }));
}

export async function getTemplate(id: string): Promise<TemplateView> {
  if (!isUuid(id)) throw notFound("Template");
  const template = await db().template.findUnique({
    where: { id },
    include: { revisions: { orderBy: { number: "desc" } } },
  });
  if (!template || template.revisions.length === 0) throw notFound("Template");
  return {
    id: template.id,
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

export async function getRevision(templateId: string, number: number): Promise<RevisionView> {
  if (!isUuid(templateId)) throw notFound("Template revision");
  const row = await db().templateRevision.findUnique({ where: { templateId_number: { templateId, number } } });
  if (!row) throw notFound("Template revision");
  return toRevision(row);
}

export async function createTemplate(profile: AccessProfile, input: CreateTemplateBody): Promise<TemplateView> {
  requireAuthor(profile);
  const problems = await lintRevision(profile, input);
  if (await db().template.findUnique({ where: { name: input.name }, select: { id: true } }))
    problems.name = [`A template named "${input.name}" already exists`];
  if (Object.keys(problems).length) throw validationFailed(problems, "The template has problems; nothing was saved");
  try {
    const template = await db().template.create({
      data: {
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
    return getTemplate(template.id);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw validationFailed({ name: [`A template named "${input.name}" already exists`] });
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
  requireAuthor(profile);
  // Existence only: getTemplate would load every revision's body just to answer 404.
  if (!isUuid(templateId) || !(await db().template.findUnique({ where: { id: templateId }, select: { id: true } })))
    throw notFound("Template");
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
  return getTemplate(templateId);
}

/** A readable diff of two revisions: body, schema and overrides. */
export async function diffRevisions(templateId: string, from: number, to: number): Promise<string> {
  const [a, b] = await Promise.all([getRevision(templateId, from), getRevision(templateId, to)]);
  const text = (r: RevisionView) =>
    `# body\n${r.body.endsWith("\n") ? r.body : `${r.body}\n`}# schema\n${stringify(r.schema)}# overrides\n${stringify(r.overrides)}`;
  return createTwoFilesPatch(`revision ${from}`, `revision ${to}`, text(a), text(b), "", "", { context: 3 });
}
