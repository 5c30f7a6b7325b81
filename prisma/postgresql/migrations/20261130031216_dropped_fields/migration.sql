-- CreateTable
CREATE TABLE "IngestDropped" (
    "bucket" TIMESTAMP(3) NOT NULL,
    "field" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "IngestDropped_pkey" PRIMARY KEY ("bucket","field")
);
