import { NextResponse } from "next/server";
import { createTemplateBodySchema } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { createTemplate, listTemplates } from "@/lib/server/templates/templates";

const FOUR_MB = 4 * 1024 * 1024;

export const GET = route({ access: "user" }, async () => ({ templates: await listTemplates() }));

/** Lint runs first; a template with problems is not saved (400 naming template lines). */
export const POST = route({ access: "user", body: createTemplateBodySchema, maxBodyBytes: FOUR_MB, audit: "template.create" }, async ({ body, profile, audit }) => {
  audit.target({ kind: "Template", name: body.name });
  return NextResponse.json({ template: await createTemplate(await profile(), body) }, { status: 201 });
});
