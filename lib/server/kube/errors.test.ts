import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { BlockedAddressError } from "./address-guard";
import { classifyClusterError, ClusterTimeoutError } from "./errors";

const withCode = (code: string) => Object.assign(new Error(`boom ${code}`), { code });

describe("classifyClusterError", () => {
  it.each([
    [withCode("ECONNREFUSED"), "connection_refused", /Connection refused/],
    [withCode("ENOTFOUND"), "dns", /DNS lookup failed/],
    [withCode("EHOSTUNREACH"), "unreachable", /unreachable/],
    [withCode("SELF_SIGNED_CERT_IN_CHAIN"), "tls_unknown_authority", /Unknown certificate authority/],
    [withCode("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), "tls_unknown_authority", /Unknown certificate authority/],
    [withCode("ERR_TLS_CERT_ALTNAME_INVALID"), "tls_hostname_mismatch", /not valid for this host name/],
    [withCode("CERT_HAS_EXPIRED"), "tls_expired", /expired/],
    [new ClusterTimeoutError(5000), "timeout", /No answer within 5 s/],
    [new BlockedAddressError("x resolves to a refused address"), "blocked_address", /refused address/],
    [
      new ApiException(401, 'Unknown API Status Code!\nBody: {"token":"leak"}', '{"token":"leak"}', {}),
      "unauthorized",
      /401 Unauthorized/,
    ],
    [new ApiException(403, "forbidden: leak", "leak", {}), "forbidden", /403 Forbidden/],
    [new ApiException(302, "moved", "", {}), "redirect_refused", /does not follow redirects/],
    [new ApiException(503, "down: leak", "leak", {}), "server_error", /HTTP 503/],
  ])("%s → %s", (error, code, message) => {
    const classified = classifyClusterError(error);
    expect(classified.code).toBe(code);
    expect(classified.message).toMatch(message);
    // Nothing the remote said (or our own error text) is carried over.
    expect(classified.message).not.toContain("leak");
    expect(classified.message).not.toContain("boom");
  });
});
