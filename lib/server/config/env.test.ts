import { describe, expect, it } from "vitest";
import { envSchema } from "./env";

describe("envSchema", () => {
  it("has working defaults for a zero-configuration start", () => {
    const config = envSchema.parse({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(3000);
    expect(config.ARCHIPELAGO_DATA_DIR).toBe(".data");
    expect(config.ARCHIPELAGO_SESSION_IDLE_MINUTES).toBe(60);
    expect(config.ARCHIPELAGO_SESSION_MAX_HOURS).toBe(12);
    expect(config.ARCHIPELAGO_TRUST_PROXY).toBe(false);
    expect(config.ARCHIPELAGO_MAX_ROLLOUT_TARGETS).toBe(2000);
  });

  it.each([
    ["DATABASE_URL", "mysql://localhost/x"],
    ["PORT", "70000"],
    ["ARCHIPELAGO_SESSION_IDLE_MINUTES", "0"],
    ["ARCHIPELAGO_TRUST_PROXY", "maybe"],
    ["ARCHIPELAGO_MAX_ROLLOUT_TARGETS", "0"],
    ["ARCHIPELAGO_MAX_ROLLOUT_TARGETS", "many"],
  ])("names %s when its value %j is invalid", (name, value) => {
    const result = envSchema.safeParse({ [name]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([name]);
  });
});
