import { queryOptions } from "@tanstack/react-query";
import { fetchAuthSettings, fetchSsoProviders } from "@/lib/api/sso";

export const ssoKeys = {
  providers: ["sso", "providers"] as const,
  settings: ["sso", "settings"] as const,
};

export const ssoProvidersQuery = () => queryOptions({ queryKey: ssoKeys.providers, queryFn: fetchSsoProviders });
export const authSettingsQuery = () => queryOptions({ queryKey: ssoKeys.settings, queryFn: fetchAuthSettings });
