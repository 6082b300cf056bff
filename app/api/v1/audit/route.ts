import { listAuditQuerySchema } from "@/lib/schemas/audit";
import { listAuditEvents } from "@/lib/server/audit/query";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "admin", query: listAuditQuerySchema }, async ({ query }) => listAuditEvents(query));
