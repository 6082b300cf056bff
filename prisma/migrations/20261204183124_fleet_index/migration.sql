-- CreateTable
CREATE TABLE "inventory_objects" (
    "cluster_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3),
    "resource_version" BIGINT NOT NULL,
    "health" TEXT,
    "ready" INTEGER,
    "desired" INTEGER,
    "size" INTEGER,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "deleted_at" TIMESTAMPTZ(3),
    "indexed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_objects_pkey" PRIMARY KEY ("cluster_id","kind","uid")
);

-- CreateTable
CREATE TABLE "inventory_collectors" (
    "cluster_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "holder" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "state" TEXT NOT NULL DEFAULT 'syncing',
    "live" BOOLEAN NOT NULL DEFAULT false,
    "resource_version" TEXT,
    "synced_at" TIMESTAMPTZ(3),
    "list_ms" INTEGER,
    "last_event_at" TIMESTAMPTZ(3),
    "stale_since" TIMESTAMPTZ(3),
    "last_error_code" TEXT,
    "last_error_message" TEXT,
    "retry_at" TIMESTAMPTZ(3),
    "cluster_revision" INTEGER NOT NULL DEFAULT 0,
    "wanted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_collectors_pkey" PRIMARY KEY ("cluster_id","kind")
);

-- CreateTable
CREATE TABLE "inventory_changes" (
    "id" BIGSERIAL NOT NULL,
    "cluster_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "change" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resource_version" BIGINT NOT NULL,
    "health_before" TEXT,
    "health_after" TEXT,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "inventory_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "inventory_objects_cluster_id_namespace_name_idx" ON "inventory_objects"("cluster_id", "namespace", "name");

-- CreateIndex
CREATE INDEX "inventory_collectors_holder_idx" ON "inventory_collectors"("holder");

-- CreateIndex
CREATE INDEX "inventory_changes_at_idx" ON "inventory_changes"("at");

-- CreateIndex
CREATE INDEX "inventory_changes_cluster_id_at_idx" ON "inventory_changes"("cluster_id", "at");

-- AddForeignKey
ALTER TABLE "inventory_objects" ADD CONSTRAINT "inventory_objects_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory_collectors" ADD CONSTRAINT "inventory_collectors_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;
