import { INT32_MAX } from "@/lib/schemas/numbers";
import { notFound } from "@/lib/server/errors/app-error";
import { route } from "@/lib/server/http/route";
import { getRevision } from "@/lib/server/templates/templates";

export const GET = route({ access: "user" }, async ({ params }) => {
  const number = Number(params.number);
  if (!Number.isInteger(number) || number < 1 || number > INT32_MAX) throw notFound("Template revision");
  return { revision: await getRevision(String(params.id), number) };
});
