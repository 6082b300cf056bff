import { notFound } from "@/lib/server/errors/app-error";
import { route } from "@/lib/server/http/route";
import { getRevision } from "@/lib/server/templates/templates";

export const GET = route({ access: "user" }, async ({ params }) => {
  const number = Number(params.number);
  if (!Number.isInteger(number) || number < 1) throw notFound("Template revision");
  return { revision: await getRevision(String(params.id), number) };
});
