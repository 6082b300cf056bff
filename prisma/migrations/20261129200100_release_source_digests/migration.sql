-- AlterTable
ALTER TABLE "release_clusters" ADD COLUMN     "source_digests" JSONB NOT NULL DEFAULT '{}';
