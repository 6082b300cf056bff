-- CreateEnum
CREATE TYPE "DriftState" AS ENUM ('unknown', 'in_sync', 'drifted', 'unreachable');

-- CreateEnum
CREATE TYPE "RolloutState" AS ENUM ('running', 'paused', 'succeeded', 'failed', 'aborted', 'rolling_back', 'rolled_back');

-- CreateEnum
CREATE TYPE "WaveState" AS ENUM ('pending', 'running', 'baking', 'succeeded', 'failed', 'rolled_back');

-- CreateEnum
CREATE TYPE "TargetState" AS ENUM ('pending', 'queued', 'applying', 'gating', 'succeeded', 'failed', 'rolling_back', 'rolled_back', 'skipped');

-- CreateTable
CREATE TABLE "templates" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template_revisions" (
    "id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "schema" JSONB NOT NULL,
    "body" TEXT NOT NULL,
    "overrides" JSONB NOT NULL DEFAULT '[]',
    "author_id" UUID,
    "author_email" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "template_revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "releases" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "template_id" UUID NOT NULL,
    "auto_heal" BOOLEAN NOT NULL DEFAULT false,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "releases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "release_clusters" (
    "release_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "revision_id" UUID NOT NULL,
    "revision_number" INTEGER NOT NULL,
    "params" JSONB NOT NULL,
    "objects" JSONB NOT NULL DEFAULT '[]',
    "applied_at" TIMESTAMPTZ(3) NOT NULL,
    "drift_state" "DriftState" NOT NULL DEFAULT 'unknown',
    "drift_details" JSONB NOT NULL DEFAULT '[]',
    "drift_checked_at" TIMESTAMPTZ(3),

    CONSTRAINT "release_clusters_pkey" PRIMARY KEY ("release_id","cluster_id")
);

-- CreateTable
CREATE TABLE "rollouts" (
    "id" UUID NOT NULL,
    "release_id" UUID NOT NULL,
    "revision_id" UUID NOT NULL,
    "params" JSONB NOT NULL,
    "strategy" JSONB NOT NULL,
    "health_gate" JSONB NOT NULL,
    "tolerate_failures" INTEGER NOT NULL DEFAULT 0,
    "auto_rollback" BOOLEAN NOT NULL DEFAULT true,
    "take_ownership" BOOLEAN NOT NULL DEFAULT false,
    "state" "RolloutState" NOT NULL DEFAULT 'running',
    "current_wave" INTEGER NOT NULL DEFAULT 0,
    "idempotency_key" TEXT,
    "created_by_id" UUID,
    "created_by_email" TEXT NOT NULL,
    "created_by_teams" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "message" TEXT,

    CONSTRAINT "rollouts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_waves" (
    "rollout_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "state" "WaveState" NOT NULL DEFAULT 'pending',
    "started_at" TIMESTAMPTZ(3),
    "bake_until" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollout_waves_pkey" PRIMARY KEY ("rollout_id","index")
);

-- CreateTable
CREATE TABLE "rollout_targets" (
    "id" UUID NOT NULL,
    "rollout_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "cluster_name" TEXT NOT NULL,
    "wave_index" INTEGER NOT NULL,
    "state" "TargetState" NOT NULL DEFAULT 'pending',
    "claimed_by" TEXT,
    "claimed_at" TIMESTAMPTZ(3),
    "objects" JSONB NOT NULL DEFAULT '[]',
    "gate" JSONB NOT NULL DEFAULT '{}',
    "previous" JSONB,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollout_targets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_events" (
    "id" BIGSERIAL NOT NULL,
    "rollout_id" UUID NOT NULL,
    "target_id" UUID,
    "step" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "instance" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "rollout_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "app_instances" (
    "id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_instances_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "templates_name_key" ON "templates"("name");

-- CreateIndex
CREATE UNIQUE INDEX "template_revisions_template_id_number_key" ON "template_revisions"("template_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "releases_name_key" ON "releases"("name");

-- CreateIndex
CREATE UNIQUE INDEX "rollouts_idempotency_key_key" ON "rollouts"("idempotency_key");

-- CreateIndex
CREATE INDEX "rollouts_release_id_created_at_idx" ON "rollouts"("release_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "rollouts_created_at_idx" ON "rollouts"("created_at" DESC);

-- CreateIndex
CREATE INDEX "rollout_targets_state_idx" ON "rollout_targets"("state");

-- CreateIndex
CREATE UNIQUE INDEX "rollout_targets_rollout_id_cluster_id_key" ON "rollout_targets"("rollout_id", "cluster_id");

-- CreateIndex
CREATE INDEX "rollout_events_rollout_id_at_idx" ON "rollout_events"("rollout_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "rollout_events_target_id_step_key" ON "rollout_events"("target_id", "step");

-- AddForeignKey
ALTER TABLE "template_revisions" ADD CONSTRAINT "template_revisions_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "templates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "releases" ADD CONSTRAINT "releases_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "templates"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "release_clusters" ADD CONSTRAINT "release_clusters_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "release_clusters" ADD CONSTRAINT "release_clusters_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_revision_id_fkey" FOREIGN KEY ("revision_id") REFERENCES "template_revisions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_waves" ADD CONSTRAINT "rollout_waves_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_targets" ADD CONSTRAINT "rollout_targets_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_events" ADD CONSTRAINT "rollout_events_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
