import { afterEach, describe, expect, it } from "vitest";
import { envSchema, resetEnvForTests } from "@/lib/server/config/env";
import { isAppError } from "@/lib/server/errors/app-error";
import { assertMayScrape } from "./scrape-access";

const TOKEN = "m".repeat(20) + "-metrics-token-1234";

function refusal(authorization: string | null) {
  try {
    assertMayScrape(authorization);
    return null;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { status: error.status, message: error.message };
  }
}

afterEach(() => {
  delete process.env.ARCHIPELAGO_METRICS_TOKEN;
  resetEnvForTests();
});

describe("ARCHIPELAGO_METRICS_TOKEN", () => {
  it("is optional (empty counts as unset) and refuses short or spaced values without echoing them", () => {
    expect(envSchema.parse({ ARCHIPELAGO_METRICS_TOKEN: "" }).ARCHIPELAGO_METRICS_TOKEN).toBeUndefined();
    for (const bad of ["too-short", `${TOKEN} with spaces`]) {
      const result = envSchema.safeParse({ ARCHIPELAGO_METRICS_TOKEN: bad });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(["ARCHIPELAGO_METRICS_TOKEN"]);
      expect(JSON.stringify(result.error?.issues)).not.toContain(bad);
    }
  });
});

describe("assertMayScrape", () => {
  it("answers 404 while no token is configured, whatever is presented", () => {
    expect(refusal(null)?.status).toBe(404);
    expect(refusal(`Bearer ${TOKEN}`)?.status).toBe(404);
  });

  it("lets the configured token through and refuses a missing or unknown one with 401, never echoing it", () => {
    process.env.ARCHIPELAGO_METRICS_TOKEN = TOKEN;
    resetEnvForTests();
    expect(refusal(`Bearer ${TOKEN}`)).toBeNull();
    expect(refusal(`bearer   ${TOKEN}  `)).toBeNull();
    expect(refusal(null)).toEqual({ status: 401, message: expect.stringContaining("metrics token is required") });
    const wrong = `${TOKEN}x`;
    const answer = refusal(`Bearer ${wrong}`);
    expect(answer).toEqual({ status: 401, message: "Unknown metrics token" });
    expect(refusal(`Bearer ${TOKEN.slice(0, -1)}`)?.status).toBe(401);
    expect(refusal(`Basic ${TOKEN}`)?.status).toBe(401);
  });
});
