import { describe, expect, it } from "vitest";
import { isLoopbackHost, parseIssuerUrl } from "./issuer-url";

describe("issuer URLs", () => {
  it("take https anywhere and plain http only on loopback, in any spelling", () => {
    expect(parseIssuerUrl("https://login.example.com/realms/main").href).toBe("https://login.example.com/realms/main");
    for (const url of ["http://127.0.0.1:5556", "http://localhost:8080/dex", "http://[::1]:9000", "http://127.1:9000"])
      expect(() => parseIssuerUrl(url), url).not.toThrow();
    for (const url of ["http://login.example.com", "http://10.0.0.5", "http://2130706433.example", "ftp://x.example"])
      expect(() => parseIssuerUrl(url), url).toThrow(expect.objectContaining({ status: 400 }));
  });

  it("refuse credentials, queries, fragments and non-URLs, naming the field", () => {
    for (const url of [
      "https://user:pw@login.example.com",
      "https://login.example.com/?x=1",
      "https://login.example.com/#a",
      "login",
    ])
      expect(() => parseIssuerUrl(url, "issuer"), url).toThrow(
        expect.objectContaining({ options: { fields: { issuer: [expect.any(String)] } } }),
      );
  });

  it("knows loopback by name and by address", () => {
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("app.localhost")).toBe(true);
    expect(isLoopbackHost("127.0.0.2")).toBe(true);
    expect(isLoopbackHost("[::ffff:127.0.0.1]")).toBe(true);
    expect(isLoopbackHost("169.254.169.254")).toBe(false);
    expect(isLoopbackHost("example.com")).toBe(false);
  });
});
