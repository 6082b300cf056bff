import { beforeAll, describe, expect, it } from "vitest";
import type { Testbed } from "@/testbed/harness";
import { createSsoProviderBodySchema } from "@/lib/schemas/sso";
import { loadAccessProfile } from "@/lib/server/access/profile";
import { db } from "@/lib/server/db/client";
import { forgetAllTransports } from "@/lib/server/kube/transport-cache";
import { createSsoProvider } from "@/lib/server/sso/providers";
import { createAccessFixtures, type AccessFixtures } from "@/lib/testing/access-fixtures";
import { resetDatabase } from "@/lib/testing/reset-database";
import { testbed } from "@/lib/testing/testbed-clusters";
import { applyAsAdmin, bindGroupInNamespace } from "@/lib/testing/cluster-rbac";
import { readSourceSecret, SourceSecretError } from "./secret-source";

/**
 * A secret reference's source is read with the shared impersonation headers of its reader
 * (user, teams and a single sign-on user's provider groups), on a real cluster whose RBAC lets
 * only the provider group read the Secret; and the read is decided by `secret-ref.use` first.
 */

const NAMESPACE = "source-impersonation";
let tb: Testbed;
let f: AccessFixtures;

beforeAll(async () => {
  tb = await testbed();
  await resetDatabase();
  forgetAllTransports();
  f = await createAccessFixtures(tb);
  await bindGroupInNamespace(f.clusterA.id, {
    namespace: NAMESPACE,
    role: "secret-reader",
    rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }],
    binding: "oidc-secret-readers",
    group: "oidc:vault-readers",
  });
  await applyAsAdmin(f.clusterA.id, `/api/v1/namespaces/${NAMESPACE}/secrets/source`, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "source", namespace: NAMESPACE },
    data: { token: Buffer.from("source-token").toString("base64") },
  });
  await db().cluster.update({ where: { id: f.clusterA.id }, data: { impersonateUsers: true } });
  // Team beta may reveal Secrets there in Archipelago; only the cluster's RBAC decides the rest.
  const beta = await db().team.findUniqueOrThrow({ where: { name: "beta" } });
  await db().grant.create({
    data: { teamId: beta.id, clusterIds: [f.clusterA.id], namespaces: [NAMESPACE], level: "view", secrets: "reveal" },
  });
}, 300_000);

const ref = () => ({ cluster: f.clusterA.id, namespace: NAMESPACE, name: "source" });
const profileOf = async (userId: string) =>
  loadAccessProfile({ user: await db().user.findUniqueOrThrow({ where: { id: userId } }), via: "session" });

describe("reading a secret reference's source", () => {
  it("impersonates the reader with teams and provider groups, so the cluster's RBAC binds the provider group", async () => {
    const provider = await createSsoProvider({
      ...createSsoProviderBodySchema.parse({
        slug: "corp-src",
        displayName: "Corp",
        issuer: "http://127.0.0.1:9",
        clientId: "archipelago",
        clientSecret: "not-used-here",
      }),
      clusterGroupPrefix: "oidc:",
    });
    await db().user.update({
      where: { id: f.users.other.id },
      data: { ssoProviderId: provider.id, ssoSubject: "other-src", ssoGroups: ["vault-readers"] },
    });
    const data = await readSourceSecret(ref(), await profileOf(f.users.other.id));
    expect(Buffer.from(data.token!, "base64").toString()).toBe("source-token");

    // Without the provider group the cluster refuses: the read really went as that user and groups.
    await db().ssoProvider.update({ where: { id: provider.id }, data: { sendGroupsToClusters: false } });
    await expect(readSourceSecret(ref(), await profileOf(f.users.other.id))).rejects.toThrow(
      new SourceSecretError("the source Secret may not be read (the cluster refused)"),
    );
  });

  it("is refused before any call for a reader without reveal there, and for no reader at all", async () => {
    const alpha = await profileOf(f.users.deploy.id);
    await expect(readSourceSecret(ref(), alpha)).rejects.toThrow(/may not reveal the source Secret/);
    await expect(readSourceSecret(ref(), null)).rejects.toThrow(/author's account is disabled or gone/);
  });
});
