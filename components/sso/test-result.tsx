"use client";

import { useMutation } from "@tanstack/react-query";
import { Alert } from "@/components/ui/alert";
import { ApiError } from "@/lib/api/client";
import { testSsoProvider } from "@/lib/api/sso";
import type { TestSsoProviderBody } from "@/lib/schemas/sso";

export const useConfigurationTest = () =>
  useMutation({ mutationFn: (body: TestSsoProviderBody) => testSsoProvider(body) });

/** What "Test configuration" found: problems, the redirect URI to register, the discovered endpoints. */
export function TestResultView({ test }: { test: ReturnType<typeof useConfigurationTest> }) {
  if (test.error)
    return (
      <Alert>
        {test.error instanceof ApiError && test.error.code === "validation_failed"
          ? Object.values(test.error.fields).flat().join(" ")
          : test.error.message}
      </Alert>
    );
  const result = test.data;
  if (!result) return null;
  return (
    <div data-testid="sso-test-result" className="space-y-2">
      {result.ok ? (
        <Alert tone="success">
          The provider answered discovery
          {result.clientCredentials === "accepted" ? " and accepted the client credentials" : ""}.
        </Alert>
      ) : (
        <Alert title="The configuration does not work yet">
          <ul className="list-disc pl-5">
            {result.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </Alert>
      )}
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium">Redirect URI to register</dt>
        <dd>
          <code data-testid="sso-redirect-uri">{result.redirectUri}</code>
        </dd>
        <dt className="font-medium">Client credentials</dt>
        <dd>{result.clientCredentials.replace("_", " ")}</dd>
        {result.discovery ? (
          <>
            <dt className="font-medium">Authorization</dt>
            <dd className="break-all">{result.discovery.authorizationEndpoint}</dd>
            <dt className="font-medium">Token</dt>
            <dd className="break-all">{result.discovery.tokenEndpoint}</dd>
            <dt className="font-medium">Userinfo</dt>
            <dd className="break-all">{result.discovery.userinfoEndpoint ?? "none"}</dd>
            <dt className="font-medium">End session</dt>
            <dd className="break-all">
              {result.discovery.endSessionEndpoint ?? "none (sign-out ends the Archipelago session only)"}
            </dd>
            <dt className="font-medium">Scopes offered</dt>
            <dd>{result.discovery.scopesSupported.join(" ") || "not listed"}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
