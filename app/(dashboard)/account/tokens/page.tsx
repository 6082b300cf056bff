import type { Metadata } from "next";
import { ApiTokens } from "@/components/account/api-tokens";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageCaller } from "@/lib/server/http/page-caller";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  await requirePageCaller();
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Use a token as `Authorization: Bearer <token>` on /api/v1. It has exactly your current access."
      />
      <ApiTokens />
    </>
  );
}
