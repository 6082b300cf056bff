-- AlterTable
ALTER TABLE "users" ADD COLUMN     "admin_source" "MembershipSource";

-- Where an existing admin flag came from. Admin rights of single sign-on users are taken to
-- come from the provider (re-decided at their next sign-in); local accounts keep theirs.
UPDATE "users" SET "admin_source" = CASE WHEN "sso_provider_id" IS NULL THEN 'local'::"MembershipSource" ELSE 'sso'::"MembershipSource" END WHERE "is_admin";
