import { describe, expect, it } from "vitest";
import { mayStillAct } from "./may-act";

const now = Date.parse("2026-12-04T12:00:00Z");
const user = { disabledAt: null, ssoProviderId: null, ssoProvider: null };
const sso = { disabledAt: null, ssoProviderId: "p", ssoProvider: { enabled: true } };
const fresh = { readAt: new Date(now - 60_000), maxAgeMs: 3_600_000 };

describe("may this person still act (sessions, API tokens, background work)", () => {
  it("a password user acts until disabled", () => {
    expect(mayStillAct(user, null, now)).toEqual({ ok: true });
    expect(mayStillAct({ ...user, disabledAt: new Date(now) }, null, now)).toMatchObject({ ok: false });
  });

  it("a single sign-on user stops when the provider is switched off or gone", () => {
    expect(mayStillAct(sso, fresh, now)).toEqual({ ok: true });
    expect(mayStillAct({ ...sso, ssoProvider: { enabled: false } }, fresh, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/provider is switched off/),
    });
    expect(mayStillAct({ ...sso, ssoProvider: null }, null, now)).toMatchObject({ ok: false });
  });

  it("groups read too long ago (or never) stop a credential that carries them", () => {
    expect(mayStillAct(sso, { readAt: new Date(now - 3_600_001), maxAgeMs: 3_600_000 }, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/out of date/),
    });
    expect(mayStillAct(sso, { readAt: null, maxAgeMs: 3_600_000 }, now)).toMatchObject({ ok: false });
  });
});
