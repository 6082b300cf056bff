import { saveRevisionBodySchema, TEMPLATE_REQUEST_MAX_BYTES } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { lintRevision } from "@/lib/server/templates/lint";

/** Lints a draft without saving it (the editor calls this as the author types). */
export const POST = route(
  { access: "user", body: saveRevisionBodySchema, maxBodyBytes: TEMPLATE_REQUEST_MAX_BYTES, audit: "template.lint" },
  async ({ body, profile }) => ({
    problems: await lintRevision(await profile(), body),
  }),
);
