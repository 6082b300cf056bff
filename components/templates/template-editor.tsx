"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { TeamSelect, teamIdField, useTeamChoice } from "@/components/teams/team-select";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CodeField } from "@/components/ui/code-field";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createTemplate, lintDraft, saveRevision, type DraftRevision, type RevisionView } from "@/lib/api/rollouts";
import { rolloutKeys } from "@/lib/queries/rollouts";
import { atPosition } from "@/lib/schemas/lint-position";

const EXAMPLE_SCHEMA = {
  type: "object",
  required: ["image"],
  properties: {
    image: { type: "string", default: "nginx:1.27" },
    replicas: { type: "integer", minimum: 1, maximum: 10, default: 2 },
  },
};
const EXAMPLE_BODY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team-a
spec:
  replicas: {{ params.replicas }}
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web, cluster: {{ cluster.name }} }
    spec:
      containers:
        - name: web
          image: {{ params.image | json }}
`;

interface Props {
  templateId?: string;
  initial?: RevisionView;
  /** Admins may also make a global template (no owning team). Only used in create mode. */
  isAdmin?: boolean;
}

function parseJson(text: string, field: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : "parse error";
    // V8 names the place as "(line 3 column 5)": written as the lint prefix, the editor marks it.
    const place = /\(line (\d+) column (\d+)\)/.exec(message);
    const at = place ? atPosition(Number(place[1]), Number(place[2])) : "";
    return { error: `${at}${field} is not valid JSON: ${message}` };
  }
}

/** Parameter names offered after `params.` in the body: the schema's properties, while it parses. */
function schemaParamNames(schemaText: string): string[] {
  try {
    const schema = JSON.parse(schemaText) as { properties?: unknown };
    return schema.properties && typeof schema.properties === "object" ? Object.keys(schema.properties) : [];
  } catch {
    return [];
  }
}

/** Name, parameter schema, Liquid body and overrides. Check lints without saving; save creates a new revision. */
export function TemplateEditor({ templateId, initial, isAdmin = false }: Props) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const team = useTeamChoice(isAdmin, !templateId);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [schemaText, setSchemaText] = useState(JSON.stringify(initial?.schema ?? EXAMPLE_SCHEMA, null, 2));
  const [body, setBody] = useState(initial?.body ?? EXAMPLE_BODY);
  const [overridesText, setOverridesText] = useState(JSON.stringify(initial?.overrides ?? [], null, 2));
  const [message, setMessage] = useState("");
  const [localErrors, setLocalErrors] = useState<Record<string, string[]>>({});

  const draft = (): DraftRevision | null => {
    const schema = parseJson(schemaText, "Schema");
    const overrides = parseJson(overridesText, "Overrides");
    const errors: Record<string, string[]> = {};
    if (schema.error) errors.schema = [schema.error];
    if (overrides.error) errors.overrides = [overrides.error];
    setLocalErrors(errors);
    if (Object.keys(errors).length) return null;
    return {
      schema: schema.value as Record<string, unknown>,
      body,
      overrides: overrides.value as DraftRevision["overrides"],
      message,
    };
  };

  const lint = useMutation({ mutationFn: (input: DraftRevision) => lintDraft(input) });
  const save = useMutation({
    mutationFn: (input: DraftRevision) =>
      templateId
        ? saveRevision(templateId, input)
        : createTemplate({ ...input, name, description, ...teamIdField(team) }),
    onSuccess: (template) => {
      void queryClient.invalidateQueries({ queryKey: rolloutKeys.templates });
      router.push(`/templates/${template.id}`);
    },
  });
  const saveError = save.error instanceof ApiError ? save.error : null;
  const problems: Record<string, string[]> = { ...(lint.data ?? {}), ...(saveError?.fields ?? {}), ...localErrors };
  // Nested fields (schema.properties.x, overrides.0.patch) are shown under their textarea with their path.
  const problemsUnder = (prefix: string) =>
    Object.entries(problems)
      .filter(([key]) => key.startsWith(prefix))
      // The field's own messages keep their "line N, column M:" start, which the editor marks.
      .flatMap(([key, messages]) => messages.map((m) => (key === prefix ? m : `${key}: ${m}`)));
  const schemaProblems = problemsUnder("schema");
  const overrideProblems = problemsUnder("overrides");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = draft();
    if (!templateId && team.missing) {
      setLocalErrors((errors) => ({ ...errors, teamId: ["Choose the team that will own the template"] }));
      return;
    }
    if (input) save.mutate(input);
  };

  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      {saveError && saveError.code !== "validation_failed" ? <Alert>{saveError.message}</Alert> : null}
      {saveError?.code === "validation_failed" ? (
        <Alert title="Not saved">The template has problems, listed under each field.</Alert>
      ) : null}
      {!templateId ? (
        <div className="grid gap-4 sm:grid-cols-3">
          <TeamSelect
            choice={team}
            errors={problems.teamId}
            onChange={() =>
              setLocalErrors((errors) => Object.fromEntries(Object.entries(errors).filter(([key]) => key !== "teamId")))
            }
          />
          <TextField
            label="Template name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            errors={problems.name}
            placeholder="web-service"
          />
          <TextField
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            errors={problems.description}
          />
        </div>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <CodeField
          label="Body (multi-document YAML, Liquid)"
          language="yaml"
          minHeight="30rem"
          value={body}
          onChange={setBody}
          paramNames={schemaParamNames(schemaText)}
          errors={problems.body ?? []}
          hint="Use {{ params.x }}, {{ cluster.name }}, {{ cluster.labels.env }}, {{ cluster.variables.region }}; quote strings with | json. No file or network access."
        />
        <div className="space-y-4">
          <CodeField
            label="Parameter schema (JSON Schema)"
            language="json"
            minHeight="14rem"
            value={schemaText}
            onChange={setSchemaText}
            errors={schemaProblems}
          />
          <CodeField
            label="Per-cluster overrides (JSON)"
            language="json"
            minHeight="8rem"
            value={overridesText}
            onChange={setOverridesText}
            errors={overrideProblems}
            hint='[{ "selector": "env=prod", "target": { "kind": "Deployment", "name": "web" }, "patch": { "spec": { "replicas": 5 } } }] (JSON merge patches, applied after rendering)'
          />
          <TextField
            label="Change note"
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            placeholder="What changed and why"
          />
        </div>
      </div>
      {lint.data && Object.keys(lint.data).length === 0 ? (
        <Alert tone="success">No problems: the template renders and every object is well formed and placeable.</Alert>
      ) : null}
      <div className="flex gap-2">
        <Button
          type="button"
          variant="secondary"
          pending={lint.isPending}
          onClick={() => {
            const input = draft();
            if (input) lint.mutate(input);
          }}
        >
          Check
        </Button>
        <Button type="submit" pending={save.isPending}>
          {templateId ? "Save as new revision" : "Create template"}
        </Button>
      </div>
    </form>
  );
}
