"use client";

import { useTheme } from "next-themes";
import { useId, useSyncExternalStore } from "react";

const CHOICES = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
] as const;

/**
 * The theme switch in the top bar: follow the system setting, or always light or dark.
 * The stored choice is only known in the browser, so the first server render shows "System"
 * until mounted (the page itself is already painted in the right theme by then), disabled: a
 * choice made before hydration would change the native select without reaching next-themes.
 */
export function ThemeSwitch() {
  const { theme, setTheme } = useTheme();
  // False in the server render and hydration, true after: the stored choice is browser-only.
  const mounted = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="sr-only">
        Theme
      </label>
      <select
        id={id}
        value={mounted ? (theme ?? "system") : "system"}
        disabled={!mounted}
        onChange={(event) => setTheme(event.target.value)}
        className="rounded-md bg-slate-900 py-1 pl-2 pr-7 text-sm text-slate-200 ring-1 ring-slate-700 ring-inset focus-visible:outline-2 focus-visible:outline-white"
      >
        {CHOICES.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

const noSubscription = () => () => {};
