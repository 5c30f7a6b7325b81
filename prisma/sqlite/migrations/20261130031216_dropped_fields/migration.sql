-- CreateTable
CREATE TABLE "IngestDropped" (
    "bucket" DATETIME NOT NULL,
    "field" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("bucket", "field")
);
