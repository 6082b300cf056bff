import type { AccessLevelValue, SecretAccessValue } from "@/lib/schemas/access";

export interface TeamSummaryView {
  id: string;
  name: string;
  description: string;
  memberCount: number;
  grantCount: number;
  myRole: "member" | "maintainer" | null;
}

export interface GrantView {
  id: string;
  clusterSelector: string | null;
  clusterIds: string[];
  namespaces: string[];
  clusterScoped: boolean;
  level: AccessLevelValue;
  secrets: SecretAccessValue;
  /** Clusters the grant covers right now. */
  matchedClusters: Array<{ id: string; name: string }>;
}

export interface TeamDetailView {
  id: string;
  name: string;
  description: string;
  members: Array<{
    userId: string;
    email: string;
    name: string;
    role: "member" | "maintainer";
    disabled: boolean;
    /** "sso": set from the identity provider's groups; not editable by hand. */
    source: "local" | "sso";
  }>;
  grants: GrantView[];
  canManageMembers: boolean;
  canManageGrants: boolean;
}

export interface AccessPreviewView {
  clusters: Array<{
    id: string;
    name: string;
    status: string;
    level: AccessLevelValue;
    secrets: SecretAccessValue;
    clusterScoped: boolean;
    patterns: string[];
    /** Namespaces that exist on the cluster now and match; null when the cluster did not answer. */
    namespaces: string[] | null;
    error: string | null;
  }>;
}

export interface UserAdminView {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  disabled: boolean;
  teams: Array<{ id: string; name: string; role: "member" | "maintainer"; source: "local" | "sso" }>;
  createdAt: string;
  /** The identity provider a single sign-on user signs in through; null for local accounts. */
  ssoProvider: string | null;
}

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}
