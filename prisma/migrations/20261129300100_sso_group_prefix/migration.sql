-- AlterTable
ALTER TABLE "sso_providers" ALTER COLUMN "cluster_group_prefix" SET DEFAULT 'oidc:';

-- Providers that sent raw groups to clusters now send them under the default prefix: a raw
-- group could be named like a team or like a binding made for others (system:masters).
UPDATE "sso_providers" SET "cluster_group_prefix" = 'oidc:' WHERE "cluster_group_prefix" = '' OR lower("cluster_group_prefix") LIKE 'system:%';
