import { testConnectionBodySchema } from "@/lib/schemas/clusters";
import { checkUnsavedConnection } from "@/lib/server/clusters/check-connection";
import { route } from "@/lib/server/http/route";

/** Tests connection settings before they are saved. Admin only: it makes the server connect anywhere. */
export const POST = route(
  { access: "admin", body: testConnectionBodySchema, audit: "cluster.test-unsaved" },
  async ({ body, audit }) => {
    audit.detail("server", body.server);
    return { result: await checkUnsavedConnection(body) };
  },
);
