"use client";

import { useEffect, useRef, useState } from "react";

const SHORTCUTS: Array<[string, string]> = [
  ["/", "Search or filter this page's list"],
  ["j", "Next row of the list"],
  ["k", "Previous row of the list"],
  ["Enter", "Open the focused row"],
  ["?", "Show this help"],
  ["Esc", "Close this help"],
];

/** Typing in a field (or an editor) is never a shortcut. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** The first link of each row of the page's main table: what j and k move between. */
function rowLinks(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>("main table tbody tr")]
    .map((row) => row.querySelector<HTMLElement>("a[href], button"))
    .filter((link): link is HTMLElement => link !== null);
}

/**
 * Keyboard shortcuts for every signed-in page: `/` focuses the page's search field (marked
 * `data-shortcut="search"`), `j`/`k` move through the rows of its list, `?` shows the list
 * of shortcuts. A few keys on one listener; a library would add more than it saves.
 */
export function KeyboardShortcuts() {
  const [helpOpen, setHelpOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      if (event.key === "?") {
        event.preventDefault();
        setHelpOpen(true);
      } else if (event.key === "/") {
        const search = document.querySelector<HTMLElement>('[data-shortcut="search"]');
        if (!search) return;
        event.preventDefault();
        search.focus();
      } else if (event.key === "j" || event.key === "k") {
        const links = rowLinks();
        if (links.length === 0) return;
        event.preventDefault();
        const at = links.indexOf(document.activeElement as HTMLElement);
        const next = at < 0 ? 0 : Math.min(links.length - 1, Math.max(0, at + (event.key === "j" ? 1 : -1)));
        links[next]!.focus();
        links[next]!.scrollIntoView({ block: "nearest" });
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (helpOpen && !element.open) element.showModal();
    if (!helpOpen && element.open) element.close();
  }, [helpOpen]);

  return (
    <dialog
      ref={dialog}
      aria-labelledby="shortcuts-title"
      onClose={() => setHelpOpen(false)}
      className="m-auto rounded-lg bg-white p-6 shadow-xl ring-1 ring-slate-200 backdrop:bg-slate-900/40"
    >
      <h2 id="shortcuts-title" className="text-base font-semibold text-slate-900">
        Keyboard shortcuts
      </h2>
      <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
        {SHORTCUTS.map(([key, what]) => (
          <div key={key} className="contents">
            <dt>
              <kbd className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs ring-1 ring-slate-300">{key}</kbd>
            </dt>
            <dd className="text-slate-700">{what}</dd>
          </div>
        ))}
      </dl>
      <button
        type="button"
        onClick={() => setHelpOpen(false)}
        className="mt-6 rounded-md px-3 py-1.5 text-sm font-semibold ring-1 ring-slate-300 hover:bg-slate-50"
      >
        Close
      </button>
    </dialog>
  );
}
