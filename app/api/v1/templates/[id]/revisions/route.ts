import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { NextResponse } from "next/server";
import { saveRevisionBodySchema, TEMPLATE_REQUEST_MAX_BYTES } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { saveRevision } from "@/lib/server/templates/templates";

const templateParams = z.object({ id: idParam("Template") });

export const POST = route(
  {
    params: templateParams,
    access: "user",
    body: saveRevisionBodySchema,
    maxBodyBytes: TEMPLATE_REQUEST_MAX_BYTES,
    audit: "template.revise",
  },
  async ({ params, body, profile, audit }) => {
    audit.target({ kind: "Template", name: params.id });
    const saved = await saveRevision(await profile(), params.id, body);
    audit.detail("revision", saved.latest.number);
    return NextResponse.json({ template: saved }, { status: 201 });
  },
);
