import "server-only";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { FieldErrors } from "@/lib/server/errors/app-error";
import type { CredentialInput } from "@/lib/schemas/clusters";

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Deep checks of PEM material that the browser-safe schemas only check by shape: every
 * certificate parses, the key parses and belongs to the certificate. Messages name the
 * problem, never the material.
 */
export function materialProblems(
  input: { caData?: string | null; credential?: CredentialInput },
  prefix = "",
): FieldErrors {
  const problems: FieldErrors = {};
  const add = (field: string, message: string) => (problems[`${prefix}${field}`] ??= []).push(message);

  if (input.caData) {
    const blocks = input.caData.match(CERTIFICATE_BLOCK) ?? [];
    if (blocks.length === 0) add("caData", "CA bundle must contain at least one PEM certificate");
    blocks.forEach((block, index) => {
      if (!parseCertificate(block))
        add("caData", `CA bundle certificate ${index + 1} is not a valid X.509 certificate`);
    });
  }

  const credential = input.credential;
  if (credential?.type === "client_certificate") {
    const certificate = parseCertificate(credential.certificate.match(CERTIFICATE_BLOCK)?.[0] ?? "");
    if (!certificate) add("credential.certificate", "Client certificate is not a valid X.509 certificate");
    let key: ReturnType<typeof createPrivateKey> | null = null;
    try {
      key = createPrivateKey(credential.key);
    } catch {
      add("credential.key", "Client key is not a valid unencrypted PEM private key");
    }
    if (certificate && key && !certificate.checkPrivateKey(key)) {
      add("credential.key", "Client key does not match the client certificate");
    }
  }
  return problems;
}

function parseCertificate(pem: string): X509Certificate | null {
  try {
    return new X509Certificate(pem);
  } catch {
    return null;
  }
}
