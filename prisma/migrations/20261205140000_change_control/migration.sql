-- AlterEnum
ALTER TYPE "RolloutState" ADD VALUE 'awaiting_approval';
ALTER TYPE "RolloutState" ADD VALUE 'rejected';

-- AlterTable
ALTER TABLE "rollouts" ADD COLUMN "approval_policies" JSONB,
ADD COLUMN "approval_digest" TEXT,
ADD COLUMN "approval_preview" JSONB,
ADD COLUMN "approval_digest_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "approval_policies" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cluster_selector" TEXT NOT NULL,
    "approvals_required" INTEGER NOT NULL,
    "approver_team_ids" UUID[],
    "admins_may_approve" BOOLEAN NOT NULL DEFAULT true,
    "author_may_approve" BOOLEAN NOT NULL DEFAULT false,
    "created_by_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_approvals" (
    "id" UUID NOT NULL,
    "rollout_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "user_email" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "comment" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "policy_ids" UUID[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rollout_approvals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "approval_policies_name_key" ON "approval_policies"("name");

-- CreateIndex
CREATE UNIQUE INDEX "rollout_approvals_rollout_id_user_id_digest_key" ON "rollout_approvals"("rollout_id", "user_id", "digest");

-- AddForeignKey
ALTER TABLE "rollout_approvals" ADD CONSTRAINT "rollout_approvals_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "guardrail_rules" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "expression" TEXT NOT NULL,
    "cluster_selector" TEXT NOT NULL DEFAULT '',
    "kinds" TEXT[],
    "action" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "created_by_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "guardrail_rules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "guardrail_rules_name_key" ON "guardrail_rules"("name");
