import type { ChangeDiffEntry } from "@/lib/schemas/timeline";

const OP_STYLE: Record<ChangeDiffEntry["op"], { sign: string; className: string; label: string }> = {
  added: { sign: "+", className: "text-emerald-700", label: "added" },
  removed: { sign: "−", className: "text-red-700", label: "removed" },
  changed: { sign: "~", className: "text-amber-800", label: "changed" },
};

const show = (value: unknown) => (value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value));

/** The fields of the projection that differ, before → after. */
export function ChangeDiff({ diff, unreadable }: { diff: ChangeDiffEntry[]; unreadable?: string[] }) {
  return (
    <div className="space-y-2">
      {unreadable?.length ? (
        <p className="text-xs text-amber-800">
          The stored {unreadable.join(" and ")} of this entry could not be read; the diff leaves it out.
        </p>
      ) : null}
      {diff.length === 0 ? (
        <p className="text-xs text-slate-500">No field of the projection differs (only the resource version moved).</p>
      ) : (
        <table className="min-w-full text-xs" data-testid="change-diff">
          <thead className="text-left text-slate-500">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">
                Field
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Before
              </th>
              <th scope="col" className="py-1 font-medium">
                After
              </th>
            </tr>
          </thead>
          <tbody className="font-mono">
            {diff.map((entry) => {
              const style = OP_STYLE[entry.op];
              return (
                <tr key={`${entry.op}:${entry.path}`} data-testid="diff-entry" className="align-top">
                  <td className={`py-0.5 pr-3 ${style.className}`}>
                    <span aria-label={style.label}>{style.sign}</span> {entry.path}
                  </td>
                  <td className="break-all py-0.5 pr-3 text-red-800">{show(entry.before)}</td>
                  <td className="break-all py-0.5 text-emerald-800">{show(entry.after)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
