-- AlterTable
ALTER TABLE "rollout_waves" ADD COLUMN "window_wait" TEXT,
ADD COLUMN "window_opens_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "rollouts" ADD COLUMN "freeze_override_reason" TEXT,
ADD COLUMN "freeze_override_by" TEXT;

-- CreateTable
CREATE TABLE "change_windows" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cluster_selector" TEXT NOT NULL,
    "cron" TEXT,
    "time_zone" TEXT,
    "duration_minutes" INTEGER,
    "starts_at" TIMESTAMPTZ(3),
    "ends_at" TIMESTAMPTZ(3),
    "created_by_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_windows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_freezes" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cluster_selector" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_by_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_freezes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "change_windows_name_key" ON "change_windows"("name");

-- CreateIndex
CREATE UNIQUE INDEX "change_freezes_name_key" ON "change_freezes"("name");
