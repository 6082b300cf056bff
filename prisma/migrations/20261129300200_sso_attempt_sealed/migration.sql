-- Sign-ins in progress are dropped (their browsers start again): their verifier and nonce were in plain text.
DELETE FROM "sso_login_attempts";

-- AlterTable
ALTER TABLE "sso_login_attempts" DROP COLUMN "code_verifier",
DROP COLUMN "nonce",
ADD COLUMN     "sealed" JSONB NOT NULL;
