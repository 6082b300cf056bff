import { redirect } from "next/navigation";
import { needsFirstAdmin } from "@/lib/server/auth/first-admin";
import { getPageCaller } from "@/lib/server/http/page-caller";

export const dynamic = "force-dynamic";

export default async function Home() {
  if (await needsFirstAdmin()) redirect("/setup");
  redirect((await getPageCaller()) ? "/overview" : "/sign-in");
}
