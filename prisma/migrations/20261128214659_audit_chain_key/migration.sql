-- CreateTable
CREATE TABLE "sealed_keys" (
    "name" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sealed_keys_pkey" PRIMARY KEY ("name")
);
