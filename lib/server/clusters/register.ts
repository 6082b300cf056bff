import "server-only";
import { randomUUID } from "node:crypto";
import type { ClusterView } from "@/lib/api/cluster-types";
import type { CreateClusterBody, ImportKubeconfigBody } from "@/lib/schemas/clusters";
import { createClusterBodySchema } from "@/lib/schemas/clusters";
import { db } from "@/lib/server/db/client";
import { conflict, validationFailed, type FieldErrors } from "@/lib/server/errors/app-error";
import { Prisma } from "@/lib/generated/prisma/client";
import { fieldErrorsFromZod } from "@/lib/server/errors/zod-errors";
import { sealCredential } from "./credential-vault";
import { KubeconfigError, parseKubeconfig } from "./kubeconfig";
import { materialProblems } from "./material";
import { serverAddressProblem } from "./server-address";
import { toClusterView } from "./views";

/** Everything that can be wrong with one cluster before anything is written. */
async function problemsOf(input: CreateClusterBody, prefix = ""): Promise<FieldErrors> {
  const problems = materialProblems(input, prefix);
  const addressProblem = await serverAddressProblem(input.server);
  if (addressProblem) (problems[`${prefix}server`] ??= []).push(addressProblem);
  return problems;
}

/**
 * Registers clusters atomically: all are validated first (fields named with `prefix`
 * + index for imports), then written in one transaction, so a bad entry stores nothing.
 */
async function createMany(inputs: Array<{ input: CreateClusterBody; prefix: string }>): Promise<ClusterView[]> {
  const problems: FieldErrors = {};
  for (const { input, prefix } of inputs) Object.assign(problems, await problemsOf(input, prefix));
  const names = inputs.map(({ input }) => input.name);
  inputs.forEach(({ input, prefix }, index) => {
    if (names.indexOf(input.name) !== index)
      (problems[`${prefix}name`] ??= []).push(`Name "${input.name}" is used twice in this request`);
  });
  const taken = await db().cluster.findMany({ where: { name: { in: names } }, select: { name: true } });
  for (const { name } of taken) {
    for (const { input, prefix } of inputs) {
      if (input.name === name) (problems[`${prefix}name`] ??= []).push(`A cluster named "${name}" already exists`);
    }
  }
  if (Object.keys(problems).length > 0) throw validationFailed(problems);

  try {
    const created = await db().$transaction(
      inputs.map(({ input }) => {
        const id = randomUUID();
        return db().cluster.create({
          data: {
            id,
            name: input.name,
            description: input.description,
            server: input.server,
            caData: input.caData ?? null,
            insecureSkipTlsVerify: input.insecureSkipTlsVerify,
            tlsServerName: input.tlsServerName ?? null,
            authType: input.credential.type,
            credentialEnvelope: sealCredential(id, input.credential),
            labels: input.labels,
            variables: input.variables,
            impersonateUsers: input.impersonateUsers,
          },
        });
      }),
    );
    return created.map(toClusterView);
  } catch (error) {
    // Two admins registering the same name at once: the unique index decides.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw conflict("A cluster with that name already exists", { name: ["A cluster with that name already exists"] });
    }
    throw error;
  }
}

export async function registerCluster(input: CreateClusterBody): Promise<ClusterView> {
  const [cluster] = await createMany([{ input, prefix: "" }]);
  return cluster!;
}

/** Registers the chosen contexts of a kubeconfig in one step. */
export async function importClusters(body: ImportKubeconfigBody): Promise<ClusterView[]> {
  let resolved;
  try {
    resolved = parseKubeconfig(body.kubeconfig);
  } catch (error) {
    if (error instanceof KubeconfigError) throw validationFailed({ kubeconfig: [error.message] });
    throw error;
  }
  const problems: FieldErrors = {};
  const inputs: Array<{ input: CreateClusterBody; prefix: string }> = [];
  body.contexts.forEach((choice, index) => {
    const prefix = `contexts.${index}.`;
    const match = resolved.find((entry) => entry.candidate.context === choice.context);
    if (!match) {
      problems[`${prefix}context`] = [`Context "${choice.context}" is not in the kubeconfig`];
      return;
    }
    if (!match.connection) {
      problems[`${prefix}context`] = [match.candidate.problem ?? "This context cannot be imported"];
      return;
    }
    const parsed = createClusterBodySchema.safeParse({
      ...match.connection,
      name: choice.name,
      description: choice.description,
      labels: choice.labels,
    });
    if (!parsed.success) {
      for (const [field, messages] of Object.entries(fieldErrorsFromZod(parsed.error)))
        problems[`${prefix}${field}`] = messages;
      return;
    }
    inputs.push({ input: parsed.data, prefix });
  });
  if (Object.keys(problems).length > 0) throw validationFailed(problems);
  return createMany(inputs);
}

export function previewKubeconfig(text: string) {
  try {
    return parseKubeconfig(text).map(({ candidate }) => ({
      context: candidate.context,
      server: candidate.server,
      authType: candidate.authType,
      insecureSkipTlsVerify: candidate.insecureSkipTlsVerify,
      current: candidate.current,
      suggestedName: candidate.suggestedName,
      problem: candidate.problem,
      duplicate: candidate.duplicate,
    }));
  } catch (error) {
    if (error instanceof KubeconfigError) throw validationFailed({ kubeconfig: [error.message] });
    throw error;
  }
}
