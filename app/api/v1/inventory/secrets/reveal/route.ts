import { revealSecretBodySchema } from "@/lib/schemas/inventory";
import { revealSecret } from "@/lib/server/inventory/reveal";
import { db } from "@/lib/server/db/client";
import { route } from "@/lib/server/http/route";

/** Reveals one secret's values. Needs `reveal` on its namespace; every attempt is audited, allowed or not. */
export const POST = route(
  { access: "user", body: revealSecretBodySchema, audit: "secret.reveal" },
  async ({ body, profile, audit }) => {
    const cluster = await db().cluster.findUnique({ where: { id: body.cluster }, select: { name: true } });
    audit.target({
      cluster: cluster?.name ?? body.cluster,
      namespace: body.namespace,
      kind: "Secret",
      name: body.name,
    });
    const revealed = await revealSecret(await profile(), body);
    audit.detail(
      "keys",
      revealed.data.map((entry) => entry.key),
    );
    return revealed;
  },
);
