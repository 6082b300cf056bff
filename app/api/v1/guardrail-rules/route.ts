import { NextResponse } from "next/server";
import { guardrailRuleBodySchema } from "@/lib/schemas/change-control";
import { createGuardrailRule, listGuardrailRules } from "@/lib/server/guardrails/rules";
import { route } from "@/lib/server/http/route";

export const GET = route({ access: "admin" }, async ({ profile }) => ({
  rules: await listGuardrailRules(await profile()),
}));

/** A fleet guardrail (CEL); refused with the error's line and column when it does not compile. */
export const POST = route(
  { access: "admin", body: guardrailRuleBodySchema, audit: "guardrail-rule.create" },
  async ({ body, profile, audit }) => {
    audit.target({ kind: "GuardrailRule", name: body.name });
    audit.detail("action", body.action);
    audit.detail("expression", body.expression);
    audit.detail("clusterSelector", body.clusterSelector);
    audit.detail("kinds", body.kinds);
    const created = await createGuardrailRule(await profile(), body);
    return NextResponse.json({ rule: created }, { status: 201 });
  },
);
