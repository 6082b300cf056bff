"use client";

import { useSyncExternalStore } from "react";

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];

export function formatRelative(iso: string, now = Date.now()): string {
  const delta = new Date(iso).getTime() - now;
  const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(delta) >= ms || unit === "second") return format.format(Math.round(delta / ms), unit);
  }
  return iso;
}

const TICK_MS = 15_000;
const subscribe = (onTick: () => void) => {
  const timer = setInterval(onTick, TICK_MS);
  return () => clearInterval(timer);
};
// Quantised so React sees a stable value between ticks; null on the server (no clock skew in HTML).
const clientNow = () => Math.ceil(Date.now() / TICK_MS) * TICK_MS;
const serverNow = () => null;

/** "3 minutes ago", kept fresh, with the exact time on hover. */
export function RelativeTime({ iso }: { iso: string }) {
  const now = useSyncExternalStore(subscribe, clientNow, serverNow);
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {now === null ? new Date(iso).toISOString().replace("T", " ").slice(0, 19) + " UTC" : formatRelative(iso, now)}
    </time>
  );
}
