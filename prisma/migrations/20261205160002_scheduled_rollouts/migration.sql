-- AlterTable
ALTER TABLE "rollouts" ADD COLUMN "start_at" TIMESTAMPTZ(3);
