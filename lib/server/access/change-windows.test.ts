import { describe, expect, it } from "vitest";
import { startDecision, waveGate, windowAt, type StoredFreeze, type StoredWindow } from "./change-windows";

const at = (iso: string) => new Date(iso);
const recurring = (over: Partial<StoredWindow> = {}): StoredWindow => ({
  name: "weekday mornings",
  clusterSelector: "env=prod",
  // 09:00 on weekdays in Berlin, for two hours.
  cron: "0 9 * * 1-5",
  timeZone: "Europe/Berlin",
  durationMinutes: 120,
  startsAt: null,
  endsAt: null,
  ...over,
});
const once = (startsAt: string, endsAt: string, over: Partial<StoredWindow> = {}): StoredWindow => ({
  name: "one-off",
  clusterSelector: "env=prod",
  cron: null,
  timeZone: null,
  durationMinutes: null,
  startsAt: at(startsAt),
  endsAt: at(endsAt),
  ...over,
});
const prod = { name: "prod-1", labels: { env: "prod" } };
const dev = { name: "dev-1", labels: { env: "dev" } };
const freeze = (over: Partial<StoredFreeze> = {}): StoredFreeze => ({
  name: "year end",
  clusterSelector: "env=prod",
  startsAt: at("2026-12-20T00:00:00Z"),
  endsAt: at("2027-01-04T00:00:00Z"),
  reason: "close of books",
  ...over,
});

describe("change windows (the clock is a parameter)", () => {
  it("opens a recurring window at its cron time in its own time zone, for its duration", () => {
    // Friday 2026-12-04: 09:00 Berlin is 08:00 UTC (winter time).
    expect(windowAt(recurring(), at("2026-12-04T07:59:00Z"))).toMatchObject({
      open: false,
      opensAt: at("2026-12-04T08:00:00Z"),
    });
    expect(windowAt(recurring(), at("2026-12-04T08:00:00Z"))).toMatchObject({
      open: true,
      closesAt: at("2026-12-04T10:00:00Z"),
    });
    expect(windowAt(recurring(), at("2026-12-04T09:59:59Z")).open).toBe(true);
    // Closed at 10:00 Berlin+2h; the next opening is Monday, not the weekend.
    expect(windowAt(recurring(), at("2026-12-04T10:00:00Z"))).toMatchObject({
      open: false,
      opensAt: at("2026-12-07T08:00:00Z"),
    });
    // Summer time moves the UTC instant: 09:00 Berlin is 07:00 UTC on 2026-07-01.
    expect(windowAt(recurring(), at("2026-07-01T06:30:00Z")).opensAt).toEqual(at("2026-07-01T07:00:00Z"));
  });

  it("opens a one-off window in [startsAt, endsAt)", () => {
    const w = once("2026-12-10T10:00:00Z", "2026-12-10T12:00:00Z");
    expect(windowAt(w, at("2026-12-10T09:00:00Z"))).toMatchObject({ open: false, opensAt: w.startsAt });
    expect(windowAt(w, at("2026-12-10T10:00:00Z")).open).toBe(true);
    expect(windowAt(w, at("2026-12-10T12:00:00Z"))).toMatchObject({ open: false, opensAt: null });
  });

  it("lets a cluster under no window run at any time, and one under windows only inside one of them", () => {
    const windows = [recurring()];
    expect(waveGate(windows, [], [dev], at("2026-12-05T03:00:00Z"))).toEqual({ open: true });
    const gate = waveGate(windows, [], [dev, prod], at("2026-12-05T03:00:00Z"));
    expect(gate).toMatchObject({
      open: false,
      kind: "window",
      clusters: ["prod-1"],
      opensAt: at("2026-12-07T08:00:00Z"),
    });
    // Windows add up: a one-off window on Saturday opens prod-1 then too.
    const both = [...windows, once("2026-12-05T02:00:00Z", "2026-12-05T04:00:00Z")];
    expect(waveGate(both, [], [prod], at("2026-12-05T03:00:00Z"))).toEqual({ open: true });
  });

  it("finds the first instant when every cluster of the wave is open together", () => {
    const eu = recurring({ name: "eu", clusterSelector: "region=eu" });
    // US window: 08:00-11:00 New York (13:00-16:00 UTC in December) on weekdays.
    const us = recurring({
      name: "us",
      clusterSelector: "region=us",
      cron: "0 8 * * 1-5",
      timeZone: "America/New_York",
      durationMinutes: 180,
    });
    const clusters = [
      { name: "eu-1", labels: { region: "eu" } },
      { name: "us-1", labels: { region: "us" } },
    ];
    // Never open together (EU closes at 10:00 UTC, US opens at 13:00 UTC): no opening found.
    expect(waveGate([eu, us], [], clusters, at("2026-12-07T09:00:00Z"))).toMatchObject({ open: false, opensAt: null });
    const longEu = { ...eu, durationMinutes: 360 };
    // EU open 08:00-14:00 UTC, US from 13:00 UTC: together at 13:00.
    expect(waveGate([longEu, us], [], clusters, at("2026-12-07T09:00:00Z"))).toMatchObject({
      open: false,
      opensAt: at("2026-12-07T13:00:00Z"),
    });
    expect(waveGate([longEu, us], [], clusters, at("2026-12-07T13:30:00Z"))).toEqual({ open: true });
  });

  it("holds a wave in a freeze until it ends, unless overridden; a bad stored selector fails closed", () => {
    const now = at("2026-12-24T12:00:00Z");
    expect(waveGate([], [freeze()], [prod], now)).toMatchObject({
      open: false,
      kind: "freeze",
      opensAt: at("2027-01-04T00:00:00Z"),
    });
    expect(waveGate([], [freeze()], [dev], now)).toEqual({ open: true });
    expect(waveGate([], [freeze()], [prod], now, { freezeOverridden: true })).toEqual({ open: true });
    expect(waveGate([], [freeze({ clusterSelector: "env in (" })], [dev], now)).toMatchObject({ kind: "freeze" });
    expect(waveGate([], [freeze()], [prod], at("2027-01-04T00:00:00Z"))).toEqual({ open: true });
  });

  it("refuses a start in a freeze, lets an admin override with a reason, refuses a member's override", () => {
    const now = at("2026-12-24T12:00:00Z");
    const refused = startDecision({ isAdmin: true }, [freeze()], [prod, dev], now, undefined);
    expect(refused).toMatchObject({ ok: false, status: 409, freezes: ["year end"] });
    expect(refused.ok ? "" : refused.message).toContain("close of books");
    expect(startDecision({ isAdmin: true }, [freeze()], [prod], now, { reason: "CVE" })).toEqual({
      ok: true,
      override: { reason: "CVE" },
    });
    expect(startDecision({ isAdmin: false }, [], [dev], now, { reason: "CVE" })).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(startDecision({ isAdmin: false }, [freeze()], [dev], now, undefined)).toEqual({ ok: true, override: null });
  });
});
