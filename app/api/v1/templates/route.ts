import { NextResponse } from "next/server";
import { createTemplateBodySchema, TEMPLATE_REQUEST_MAX_BYTES } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { createTemplate, listTemplates } from "@/lib/server/templates/templates";

export const GET = route({ access: "user" }, async ({ profile }) => ({
  templates: await listTemplates(await profile()),
}));

/** Lint runs first; a template with problems is not saved (400 naming template lines). */
export const POST = route(
  {
    access: "user",
    body: createTemplateBodySchema,
    maxBodyBytes: TEMPLATE_REQUEST_MAX_BYTES,
    audit: "template.create",
  },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "Template", name: body.name });
    return NextResponse.json({ template: await createTemplate(await profile(), body) }, { status: 201 });
  },
);
