import { describe, expect, it } from "vitest";
import { scrubSecrets } from "./scrub";

describe("scrubSecrets", () => {
  it.each([
    ["Authorization: Bearer abc.def-ghi", "abc.def-ghi"],
    ["connect postgresql://app:hunter2@db:5432/x failed", "hunter2"],
    ['{"password":"s3cret!"}', "s3cret!"],
    ["token=tok_123456", "tok_123456"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "MIIEow"],
  ])("removes the secret from %j", (input, secret) => {
    expect(scrubSecrets(input)).not.toContain(secret);
  });

  it("leaves ordinary text alone", () => {
    expect(scrubSecrets("cluster prod-eu timed out after 5s")).toBe("cluster prod-eu timed out after 5s");
  });
});
