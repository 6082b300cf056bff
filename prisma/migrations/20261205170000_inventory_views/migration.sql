-- CreateTable
CREATE TABLE "inventory_views" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "team_id" UUID,
    "name" TEXT NOT NULL,
    "filters" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_views_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "inventory_views_team_id_idx" ON "inventory_views"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "inventory_views_owner_id_name_key" ON "inventory_views"("owner_id", "name");

-- AddForeignKey
ALTER TABLE "inventory_views" ADD CONSTRAINT "inventory_views_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory_views" ADD CONSTRAINT "inventory_views_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
