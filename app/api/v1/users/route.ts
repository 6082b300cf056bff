import { NextResponse } from "next/server";
import { createUserBodySchema } from "@/lib/schemas/access";
import { route } from "@/lib/server/http/route";
import { createUser, listUsers } from "@/lib/server/users/users";

export const GET = route({ access: "admin" }, async () => ({ users: await listUsers() }));

export const POST = route(
  { access: "admin", body: createUserBodySchema, audit: "user.create" },
  async ({ body, audit }) => {
    audit.target({ kind: "User", name: body.email });
    audit.detail("isAdmin", body.isAdmin);
    return NextResponse.json({ user: await createUser(body) }, { status: 201 });
  },
);
