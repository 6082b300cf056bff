import { NextResponse } from "next/server";
import { saveRevisionBodySchema, TEMPLATE_REQUEST_MAX_BYTES } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { saveRevision } from "@/lib/server/templates/templates";

export const POST = route(
  { access: "user", body: saveRevisionBodySchema, maxBodyBytes: TEMPLATE_REQUEST_MAX_BYTES, audit: "template.revise" },
  async ({ params, body, profile, audit }) => {
    audit.target({ kind: "Template", name: String(params.id) });
    const saved = await saveRevision(await profile(), String(params.id), body);
    audit.detail("revision", saved.latest.number);
    return NextResponse.json({ template: saved }, { status: 201 });
  },
);
