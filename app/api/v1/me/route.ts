import { route } from "@/lib/server/http/route";

export const GET = route({ access: "user" }, async ({ caller }) => ({ user: caller.user }));
