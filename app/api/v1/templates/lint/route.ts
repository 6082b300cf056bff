import { saveRevisionBodySchema } from "@/lib/schemas/templates";
import { route } from "@/lib/server/http/route";
import { lintRevision } from "@/lib/server/templates/lint";

const FOUR_MB = 4 * 1024 * 1024;

/** Lints a draft without saving it (the editor calls this as the author types). */
export const POST = route({ access: "user", body: saveRevisionBodySchema, maxBodyBytes: FOUR_MB, audit: "template.lint" }, async ({ body, profile }) => ({
  problems: await lintRevision(await profile(), body),
}));
