import { NextResponse } from "next/server";
import { saveRevisionBodySchema } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { getTemplate, saveRevision } from "@/lib/server/templates/templates";

const FOUR_MB = 4 * 1024 * 1024;

export const POST = route({ access: "user", body: saveRevisionBodySchema, maxBodyBytes: FOUR_MB, audit: "template.revise" }, async ({ params, body, profile, audit }) => {
  const template = await getTemplate(String(params.id));
  audit.target({ kind: "Template", name: template.name });
  const saved = await saveRevision(await profile(), template.id, body);
  audit.detail("revision", saved.latest.number);
  return NextResponse.json({ template: saved }, { status: 201 });
});
