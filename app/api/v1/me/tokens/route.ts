import { NextResponse } from "next/server";
import { createApiTokenBodySchema } from "@/lib/schemas/access";
import { createApiToken, listApiTokens } from "@/lib/server/auth/api-tokens";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "user" }, async ({ caller }) => ({ tokens: await listApiTokens(caller.user.id) }));

/** The token is in this response and nowhere else, ever. */
export const POST = route(
  { access: "user", body: createApiTokenBodySchema, audit: "token.create" },
  async ({ caller, body, audit }) => {
    const expiresAt = body.expiresInDays === null ? null : new Date(Date.now() + body.expiresInDays * 86_400_000);
    const created = await createApiToken(caller.user.id, { name: body.name, expiresAt });
    audit.target({ kind: "ApiToken", name: body.name });
    audit.detail("prefix", created.view.prefix);
    return NextResponse.json({ token: created.token, apiToken: created.view }, { status: 201 });
  },
);
