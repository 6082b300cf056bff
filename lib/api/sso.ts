import type {
  AuthSettingsBody,
  AuthSettingsView,
  CreateSsoProviderBody,
  SsoProviderView,
  SsoTestResult,
  TestSsoProviderBody,
  UpdateSsoProviderBody,
} from "@/lib/schemas/sso";
import { apiFetch } from "./client";

const enc = encodeURIComponent;

export const fetchSsoProviders = () =>
  apiFetch<{ providers: SsoProviderView[] }>("/api/v1/sso/providers").then((r) => r.providers);
export const createSsoProvider = (input: CreateSsoProviderBody) =>
  apiFetch<{ provider: SsoProviderView }>("/api/v1/sso/providers", { method: "POST", body: input });
export const updateSsoProvider = (id: string, input: UpdateSsoProviderBody) =>
  apiFetch<{ provider: SsoProviderView }>(`/api/v1/sso/providers/${enc(id)}`, { method: "PATCH", body: input });
export const deleteSsoProvider = (id: string) =>
  apiFetch<null>(`/api/v1/sso/providers/${enc(id)}`, { method: "DELETE" });
export const testSsoProvider = (input: TestSsoProviderBody) =>
  apiFetch<{ result: SsoTestResult }>("/api/v1/sso/providers/test", { method: "POST", body: input }).then(
    (r) => r.result,
  );
export const fetchAuthSettings = () =>
  apiFetch<{ settings: AuthSettingsView }>("/api/v1/auth/settings").then((r) => r.settings);
export const updateAuthSettings = (input: AuthSettingsBody) =>
  apiFetch<{ settings: AuthSettingsView }>("/api/v1/auth/settings", { method: "PUT", body: input });
