-- CreateEnum
CREATE TYPE "MembershipSource" AS ENUM ('local', 'sso');

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "sso_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "sso_provider_id" UUID,
ADD COLUMN     "sso_subject" TEXT,
ADD COLUMN     "sso_synced_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "sso_provider_id" UUID,
ADD COLUMN     "sso_synced_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "memberships" ADD COLUMN     "source" "MembershipSource" NOT NULL DEFAULT 'local';

-- CreateTable
CREATE TABLE "sso_providers" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "client_secret_envelope" JSONB NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY['openid', 'email', 'profile']::TEXT[],
    "email_claim" TEXT NOT NULL DEFAULT 'email',
    "name_claim" TEXT NOT NULL DEFAULT 'name',
    "groups_claim" TEXT NOT NULL DEFAULT 'groups',
    "allowed_email_domains" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "send_groups_to_clusters" BOOLEAN NOT NULL DEFAULT true,
    "cluster_group_prefix" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "managed_by_env" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sso_providers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sso_group_mappings" (
    "id" UUID NOT NULL,
    "provider_id" UUID NOT NULL,
    "group" TEXT NOT NULL,
    "team_id" UUID,
    "role" "MembershipRole",
    "admin" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "sso_group_mappings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sso_login_attempts" (
    "id" TEXT NOT NULL,
    "provider_id" UUID NOT NULL,
    "browser_hash" TEXT NOT NULL,
    "code_verifier" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "return_to" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sso_login_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "password_sign_in" BOOLEAN NOT NULL DEFAULT true,
    "break_glass_emails" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_settings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sso_providers_slug_key" ON "sso_providers"("slug");

-- CreateIndex
CREATE INDEX "sso_group_mappings_provider_id_idx" ON "sso_group_mappings"("provider_id");

-- CreateIndex
CREATE INDEX "sso_login_attempts_expires_at_idx" ON "sso_login_attempts"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "users_sso_provider_id_sso_subject_key" ON "users"("sso_provider_id", "sso_subject");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_sso_provider_id_fkey" FOREIGN KEY ("sso_provider_id") REFERENCES "sso_providers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sso_group_mappings" ADD CONSTRAINT "sso_group_mappings_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "sso_providers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sso_group_mappings" ADD CONSTRAINT "sso_group_mappings_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
