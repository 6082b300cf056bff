import { z } from "zod";
import { idParam } from "@/lib/schemas/params";
import { deleteGuardrailRule } from "@/lib/server/guardrails/rules";
import { route } from "@/lib/server/http/route";

const ruleParams = z.object({ id: idParam("Guardrail rule") });

export const DELETE = route(
  { access: "admin", params: ruleParams, audit: "guardrail-rule.delete" },
  async ({ params, profile, audit }) => {
    audit.target({ kind: "GuardrailRule", name: params.id });
    await deleteGuardrailRule(await profile(), params.id);
    return { deleted: true };
  },
);
