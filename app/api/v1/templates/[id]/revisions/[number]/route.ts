import { notFound } from "@/lib/server/errors/app-error";
import { route } from "@/lib/server/http/route";
import { getRevision } from "@/lib/server/templates/templates";

export const GET = route({ access: "user" }, async ({ params, profile }) => {
  const number = Number(params.number);
  if (!Number.isSafeInteger(number) || number < 1 || number > 2_147_483_647) throw notFound("Template revision");
  return { revision: await getRevision(await profile(), String(params.id), number) };
});
