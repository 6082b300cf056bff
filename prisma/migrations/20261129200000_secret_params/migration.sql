-- CreateTable
CREATE TABLE "secret_params" (
    "id" UUID NOT NULL,
    "release_id" UUID NOT NULL,
    "path" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "digest" TEXT NOT NULL,
    "set_by_id" UUID,
    "set_by_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "secret_params_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "secret_params_release_id_path_idx" ON "secret_params"("release_id", "path");

-- AddForeignKey
ALTER TABLE "secret_params" ADD CONSTRAINT "secret_params_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE CASCADE ON UPDATE CASCADE;
