-- DropIndex
DROP INDEX "templates_name_key";

-- DropIndex
DROP INDEX "releases_name_key";

-- AlterTable
ALTER TABLE "templates" ADD COLUMN     "team_id" UUID;

-- AlterTable
ALTER TABLE "releases" ADD COLUMN     "team_id" UUID;

-- AlterTable
ALTER TABLE "rollouts" ADD COLUMN     "team_id" UUID;

-- AlterTable
ALTER TABLE "rollout_targets" ADD COLUMN     "scope" JSONB NOT NULL DEFAULT '[]';

-- CreateIndex
CREATE UNIQUE INDEX "templates_team_id_name_key" ON "templates"("team_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "releases_team_id_name_key" ON "releases"("team_id", "name");

-- AddForeignKey
ALTER TABLE "templates" ADD CONSTRAINT "templates_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "releases" ADD CONSTRAINT "releases_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
