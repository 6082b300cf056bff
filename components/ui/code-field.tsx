"use client";

import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { json } from "@codemirror/lang-json";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { Prec } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import CodeMirror, { oneDark } from "@uiw/react-codemirror";
import { useTheme } from "next-themes";
import { useEffect, useId, useMemo, useRef } from "react";
import { parsePosition } from "@/lib/schemas/lint-position";

const SETUP = { autocompletion: false, foldGutter: false, highlightActiveLine: false } as const;

/**
 * One Dark (the editor's stock dark theme) on the page's dark card color (slate-900) instead of
 * its own #282c34: on that lighter gray its comment and key colors fall under WCAG AA's 4.5:1,
 * on slate-900 every token color reaches it (the axe spec checks the editors in dark mode).
 */
const DARK_THEME = [
  oneDark,
  Prec.highest(
    EditorView.theme(
      { "&": { backgroundColor: "#0f172a" }, ".cm-gutters": { backgroundColor: "#0f172a" } },
      { dark: true },
    ),
  ),
];

export interface CodeFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  language: "yaml" | "json";
  /** Messages shown under the field; those starting "line N[, column M]: " are also marked in the text. */
  errors?: string[];
  hint?: string;
  /** Offered after `params.` (the parameter names of the schema). */
  paramNames?: string[];
  minHeight?: string;
}

/**
 * A CodeMirror 6 editor in place of a textarea: highlighting, the server's lint messages as
 * markers at their line and column, and completion of parameter names. It stays a form field
 * for keyboards and screen readers: the editable area is a labelled textbox, Tab moves focus
 * (indentWithTab off; Escape then Tab also leaves), and every message is also text below it.
 */
export function CodeField({
  label,
  value,
  onChange,
  language,
  errors = [],
  hint,
  paramNames,
  minHeight,
}: CodeFieldProps) {
  const id = useId();
  const dark = useTheme().resolvedTheme === "dark";
  const view = useRef<EditorView | null>(null);
  const invalid = errors.length > 0;
  const describedBy = [invalid ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ");

  // A string key, so a new array with the same names does not rebuild the editor's extensions.
  const nameKey = (paramNames ?? []).join("\n");

  // Extensions and setup stay the same object across renders: a new one makes the editor
  // reconfigure, which drops open completions and the markers below.
  const extensions = useMemo(
    () => [
      language === "yaml" ? yaml() : json(),
      lintGutter(),
      // No 75 ms grace before keys act on a fresh list: it opens only after "params." (or Ctrl+Space),
      // and a keyboard user's first arrow or Enter should act on it, not move the cursor.
      autocompletion({
        interactionDelay: 0,
        override: [(context: CompletionContext) => paramCompletions(context, nameKey ? nameKey.split("\n") : [])],
      }),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-labelledby": `${id}-label` }),
    ],
    [language, id, nameKey],
  );

  // The server's messages, placed: a marker at the line and column each names. The state of
  // the field (invalid, described by its messages) is set on the editable element itself.
  const errorKey = errors.join("\n");
  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    editor.dispatch(setDiagnostics(editor.state, diagnosticsFor(editor, errorKey ? errorKey.split("\n") : [])));
    const content = editor.contentDOM;
    if (invalid) content.setAttribute("aria-invalid", "true");
    else content.removeAttribute("aria-invalid");
    if (describedBy) content.setAttribute("aria-describedby", describedBy);
    else content.removeAttribute("aria-describedby");
  }, [errorKey, value, extensions, invalid, describedBy]);

  return (
    <div>
      <span
        id={`${id}-label`}
        className="block text-sm font-medium text-slate-800"
        onClick={() => view.current?.focus()}
      >
        {label}
      </span>
      <div
        className={`mt-1 overflow-hidden rounded-md text-xs shadow-sm ring-1 ring-inset focus-within:ring-2 ${
          invalid ? "ring-red-400 focus-within:ring-red-500" : "ring-slate-300 focus-within:ring-indigo-600"
        }`}
        data-code-field={label}
      >
        <CodeMirror
          value={value}
          onChange={onChange}
          extensions={extensions}
          theme={dark ? DARK_THEME : "light"}
          indentWithTab={false}
          basicSetup={SETUP}
          minHeight={minHeight}
          onCreateEditor={(editor) => {
            view.current = editor;
            editor.dispatch(setDiagnostics(editor.state, diagnosticsFor(editor, errors)));
          }}
        />
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      {invalid ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-600">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

function diagnosticsFor(editor: EditorView, errors: string[]): Diagnostic[] {
  const doc = editor.state.doc;
  return errors.flatMap((text) => {
    const position = parsePosition(text);
    if (!position || position.line > doc.lines) return [];
    const line = doc.line(position.line);
    const from = Math.min(line.to, line.from + Math.max(0, (position.column ?? 1) - 1));
    return [{ from, to: Math.max(line.to, from), severity: "error" as const, message: position.message }];
  });
}

/** After `params.`, the schema's parameter names. */
function paramCompletions(context: CompletionContext, names: string[]): CompletionResult | null {
  const word = context.matchBefore(/params\.[\w-]*/);
  if (!word || names.length === 0) return null;
  return {
    from: word.from + "params.".length,
    options: names.map((name) => ({ label: name, type: "property" })),
    validFor: /^[\w-]*$/,
  };
}
