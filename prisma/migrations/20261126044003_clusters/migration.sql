-- CreateEnum
CREATE TYPE "ClusterAuthType" AS ENUM ('token', 'client_certificate');

-- CreateEnum
CREATE TYPE "ClusterStatus" AS ENUM ('never_checked', 'reachable', 'unreachable');

-- CreateTable
CREATE TABLE "clusters" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "server" TEXT NOT NULL,
    "ca_data" TEXT,
    "insecure_skip_tls_verify" BOOLEAN NOT NULL DEFAULT false,
    "tls_server_name" TEXT,
    "auth_type" "ClusterAuthType" NOT NULL,
    "credential_envelope" JSONB NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "variables" JSONB NOT NULL DEFAULT '{}',
    "revision" INTEGER NOT NULL DEFAULT 1,
    "status" "ClusterStatus" NOT NULL DEFAULT 'never_checked',
    "status_since" TIMESTAMPTZ(3),
    "last_checked_at" TIMESTAMPTZ(3),
    "last_error_code" TEXT,
    "last_error_message" TEXT,
    "kubernetes_version" TEXT,
    "latency_ms" INTEGER,
    "node_count" INTEGER,
    "namespace_count" INTEGER,
    "identity" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "clusters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cluster_health_checks" (
    "id" BIGSERIAL NOT NULL,
    "cluster_id" UUID NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ok" BOOLEAN NOT NULL,
    "latency_ms" INTEGER,
    "error_code" TEXT,
    "error_message" TEXT,
    "kubernetes_version" TEXT,
    "node_count" INTEGER,
    "namespace_count" INTEGER,

    CONSTRAINT "cluster_health_checks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "clusters_name_key" ON "clusters"("name");

-- CreateIndex
CREATE INDEX "cluster_health_checks_cluster_id_checked_at_idx" ON "cluster_health_checks"("cluster_id", "checked_at" DESC);

-- AddForeignKey
ALTER TABLE "cluster_health_checks" ADD CONSTRAINT "cluster_health_checks_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;
