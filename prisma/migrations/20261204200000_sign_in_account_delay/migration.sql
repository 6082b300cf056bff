-- AlterTable
ALTER TABLE "throttle_buckets" ADD COLUMN     "not_before" TIMESTAMPTZ(3);
