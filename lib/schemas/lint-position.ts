/**
 * Where a lint message points in the text it is about. The server writes messages as
 * "line 3, column 7: …" (one home for that wording: `atPosition`), and the editor reads the
 * same prefix back to put a marker at that line and column (`parsePosition`).
 */
export function atPosition(line: number | null, column: number | null): string {
  if (!line) return "";
  return `line ${line}${column ? `, column ${column}` : ""}: `;
}

export interface LintPosition {
  line: number;
  column: number | null;
  message: string;
}

const PREFIX = /^line (\d+)(?:, column (\d+))?: /;

export function parsePosition(text: string): LintPosition | null {
  const match = PREFIX.exec(text);
  if (!match) return null;
  return { line: Number(match[1]), column: match[2] ? Number(match[2]) : null, message: text.slice(match[0].length) };
}
