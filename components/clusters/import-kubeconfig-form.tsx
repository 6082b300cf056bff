"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type ChangeEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextareaField } from "@/components/ui/textarea-field";
import { ApiError } from "@/lib/api/client";
import type { ImportCandidateView } from "@/lib/api/cluster-types";
import { importKubeconfig, previewKubeconfig } from "@/lib/api/clusters";
import { clusterKeys } from "@/lib/queries/clusters";
import { KUBECONFIG_MAX_BYTES } from "@/lib/schemas/clusters";

interface Choice {
  selected: boolean;
  name: string;
}

/** Paste or upload a kubeconfig, pick contexts, name them, register them together. */
export function ImportKubeconfigForm() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [choices, setChoices] = useState<Record<string, Choice>>({});

  const preview = useMutation({
    mutationFn: () => previewKubeconfig(text),
    onSuccess: (contexts) =>
      setChoices(
        Object.fromEntries(
          contexts.map((c) => [
            c.context,
            { selected: c.problem === null && c.duplicate === null, name: c.suggestedName },
          ]),
        ),
      ),
  });
  const register = useMutation({
    mutationFn: () =>
      importKubeconfig(
        text,
        Object.entries(choices)
          .filter(([, choice]) => choice.selected)
          .map(([context, choice]) => ({ context, name: choice.name.trim() })),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: clusterKeys.all });
      router.push("/clusters");
    },
  });

  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    setFileProblem(null);
    if (!file) return;
    if (file.size > KUBECONFIG_MAX_BYTES) {
      setFileProblem(`${file.name} is ${(file.size / 1_048_576).toFixed(1)} MB; a kubeconfig must be at most 1 MB.`);
      return;
    }
    setText(await file.text());
    preview.reset();
  };

  const contexts: ImportCandidateView[] = preview.data ?? [];
  const selectedIndex = Object.entries(choices)
    .filter(([, c]) => c.selected)
    .map(([context]) => context);
  const previewError = preview.error instanceof ApiError ? preview.error : null;
  const registerError = register.error instanceof ApiError ? register.error : null;

  return (
    <div className="max-w-4xl space-y-5">
      <div className="space-y-3">
        <TextareaField
          label="Kubeconfig"
          rows={10}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            preview.reset();
          }}
          errors={previewError?.fields.kubeconfig ?? registerError?.fields.kubeconfig}
          placeholder="apiVersion: v1&#10;kind: Config&#10;clusters: …"
          hint="Paste it, or upload the file. Contexts that need exec or auth-provider plugins cannot be imported."
        />
        <div className="flex flex-wrap items-center gap-3">
          <label className="text-sm">
            <span className="sr-only">Upload kubeconfig file</span>
            <input type="file" aria-label="Upload kubeconfig file" onChange={readFile} className="text-sm" />
          </label>
          <Button
            type="button"
            variant="secondary"
            pending={preview.isPending}
            disabled={!text.trim()}
            onClick={() => preview.mutate()}
          >
            Read contexts
          </Button>
        </div>
        {fileProblem ? <Alert>{fileProblem}</Alert> : null}
        {previewError && !previewError.fields.kubeconfig ? <Alert>{previewError.message}</Alert> : null}
      </div>

      {contexts.length > 0 ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            register.mutate();
          }}
          className="space-y-4"
        >
          {registerError ? (
            <Alert title="Nothing was registered">
              {registerError.code === "validation_failed"
                ? "Fix the highlighted contexts and try again."
                : registerError.message}
            </Alert>
          ) : null}
          <div className="overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Register
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Context
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Server
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Credential
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Cluster name
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {contexts.map((candidate) => {
                  const choice = choices[candidate.context] ?? { selected: false, name: candidate.suggestedName };
                  const index = selectedIndex.indexOf(candidate.context);
                  const rowErrors =
                    index >= 0
                      ? Object.entries(registerError?.fields ?? {})
                          .filter(([key]) => key.startsWith(`contexts.${index}.`))
                          .flatMap(([, messages]) => messages)
                      : [];
                  const update = (patch: Partial<Choice>) =>
                    setChoices((current) => ({ ...current, [candidate.context]: { ...choice, ...patch } }));
                  return (
                    <tr
                      key={candidate.context}
                      data-testid={`import-row-${candidate.context}`}
                      className={candidate.problem ? "bg-slate-50 text-slate-500" : ""}
                    >
                      <td className="px-3 py-2">
                        <input
                          type="checkbox"
                          aria-label={`Register ${candidate.context}`}
                          disabled={candidate.problem !== null}
                          checked={choice.selected}
                          onChange={(event) => update({ selected: event.target.checked })}
                        />
                      </td>
                      <td className="px-3 py-2 font-mono text-xs">
                        {candidate.context}
                        {candidate.current ? <span className="ml-1 text-slate-500">(current)</span> : null}
                        {candidate.problem ? (
                          <p className="mt-1 font-sans text-xs text-amber-800">{candidate.problem}</p>
                        ) : null}
                        {candidate.duplicate ? (
                          <p className="mt-1 font-sans text-xs text-amber-800" data-testid="duplicate-reason">
                            Duplicate: {candidate.duplicate.reason}
                          </p>
                        ) : null}
                      </td>
                      <td className="px-3 py-2 font-mono text-xs">{candidate.server ?? "—"}</td>
                      <td className="px-3 py-2 text-xs">
                        {candidate.authType === "token"
                          ? "token"
                          : candidate.authType === "client_certificate"
                            ? "client certificate"
                            : "—"}
                      </td>
                      <td className="px-3 py-2">
                        <input
                          aria-label={`Cluster name for ${candidate.context}`}
                          disabled={candidate.problem !== null}
                          value={choice.name}
                          onChange={(event) => update({ name: event.target.value })}
                          className="w-48 rounded-md border-0 px-2 py-1 font-mono text-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
                        />
                        {rowErrors.length ? <p className="mt-1 text-xs text-red-600">{rowErrors.join(" ")}</p> : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Button type="submit" pending={register.isPending} disabled={selectedIndex.length === 0}>
            Register {selectedIndex.length} {selectedIndex.length === 1 ? "cluster" : "clusters"}
          </Button>
        </form>
      ) : null}
    </div>
  );
}
