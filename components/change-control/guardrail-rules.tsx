"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { TextareaField } from "@/components/ui/textarea-field";
import { ApiError } from "@/lib/api/client";
import { createGuardrailRule, deleteGuardrailRule } from "@/lib/api/change-control";
import { changeControlKeys, guardrailRulesQuery } from "@/lib/queries/change-control";

/** Fleet guardrails: CEL over object, oldObject, request and the cluster's labels; deny blocks, warn shows. */
export function GuardrailRules() {
  const queryClient = useQueryClient();
  const query = useQuery(guardrailRulesQuery());
  const [form, setForm] = useState({
    name: "",
    expression: "",
    clusterSelector: "",
    kinds: "",
    action: "deny" as "deny" | "warn",
    message: "",
  });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: changeControlKeys.rules });
  const create = useMutation({
    mutationFn: () =>
      createGuardrailRule({
        ...form,
        kinds: form.kinds
          .split(",")
          .map((kind) => kind.trim())
          .filter(Boolean),
      }),
    onSuccess: () => {
      setForm((f) => ({ ...f, name: "", expression: "", message: "" }));
      void invalidate();
    },
  });
  const remove = useMutation({ mutationFn: deleteGuardrailRule, onSuccess: () => void invalidate() });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  return (
    <Section title="Guardrails">
      <QueryState isPending={query.isPending} error={query.error} label="Guardrails">
        <ul data-testid="guardrail-rules" className="mb-4 space-y-2 text-sm">
          {query.data?.length === 0 ? <li className="text-slate-500">No guardrail.</li> : null}
          {query.data?.map((rule) => (
            <li key={rule.id} className="flex flex-wrap items-center gap-3">
              <span className="font-semibold">{rule.name}</span>
              <span className={rule.action === "deny" ? "text-red-700" : "text-amber-800"}>{rule.action}</span>
              <span className="font-mono text-xs">{rule.expression}</span>
              <span className="text-slate-600">
                {rule.kinds.length ? rule.kinds.join(", ") : "every kind"} · {rule.clusterSelector || "every cluster"} ·{" "}
                {rule.message}
              </span>
              <Button
                variant="secondary"
                pending={remove.isPending}
                onClick={() => window.confirm(`Delete guardrail ${rule.name}?`) && remove.mutate(rule.id)}
              >
                Delete
              </Button>
            </li>
          ))}
        </ul>
      </QueryState>
      <form
        className="grid gap-3 sm:grid-cols-2"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <TextField
          label="Rule name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          errors={fields.name}
        />
        <SelectField
          label="Action"
          value={form.action}
          options={[
            { value: "deny", label: "deny (blocks)" },
            { value: "warn", label: "warn (shows on preview and approval)" },
          ]}
          onChange={(e) => setForm({ ...form, action: e.target.value === "warn" ? "warn" : "deny" })}
          errors={fields.action}
        />
        <TextareaField
          className="sm:col-span-2"
          label="CEL expression (true = the object passes)"
          placeholder="object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))"
          value={form.expression}
          onChange={(e) => setForm({ ...form, expression: e.target.value })}
          errors={fields.expression}
          rows={3}
        />
        <TextField
          label="Cluster selector (empty: every cluster)"
          value={form.clusterSelector}
          onChange={(e) => setForm({ ...form, clusterSelector: e.target.value })}
          errors={fields.clusterSelector}
        />
        <TextField
          label="Kinds (comma-separated, empty: every kind)"
          value={form.kinds}
          onChange={(e) => setForm({ ...form, kinds: e.target.value })}
          errors={fields.kinds ?? Object.entries(fields).find(([k]) => k.startsWith("kinds."))?.[1]}
        />
        <TextField
          className="sm:col-span-2"
          label="Message"
          value={form.message}
          onChange={(e) => setForm({ ...form, message: e.target.value })}
          errors={fields.message}
        />
        <div className="sm:col-span-2">
          <Button type="submit" pending={create.isPending}>
            Add guardrail
          </Button>
        </div>
        {create.error && Object.keys(fields).length === 0 ? <Alert>{create.error.message}</Alert> : null}
      </form>
    </Section>
  );
}
