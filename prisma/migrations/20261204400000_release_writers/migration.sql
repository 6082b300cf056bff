-- CreateTable
CREATE TABLE "release_writers" (
    "release_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "holder_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "acquired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "release_writers_pkey" PRIMARY KEY ("release_id","cluster_id")
);

-- CreateIndex
CREATE INDEX "release_writers_holder_id_idx" ON "release_writers"("holder_id");

-- AddForeignKey
ALTER TABLE "release_writers" ADD CONSTRAINT "release_writers_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rollouts already in flight hold their clusters from now on (the oldest one where two overlap).
INSERT INTO "release_writers" ("release_id", "cluster_id", "kind", "holder_id", "label", "acquired_at")
SELECT DISTINCT ON (r."release_id", t."cluster_id")
       r."release_id", t."cluster_id", 'rollout', r."id", 'rollout ' || left(r."id"::text, 8), r."created_at"
FROM "rollouts" r JOIN "rollout_targets" t ON t."rollout_id" = r."id"
WHERE r."state" IN ('running', 'paused', 'rolling_back')
ORDER BY r."release_id", t."cluster_id", r."created_at";
