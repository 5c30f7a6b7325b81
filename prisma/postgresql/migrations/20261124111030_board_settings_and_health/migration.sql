-- AlterTable
ALTER TABLE "Rollup" ADD COLUMN     "badAudioSum" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Line" (
    "line" TEXT NOT NULL,
    "lastCallbackAt" TIMESTAMP(3) NOT NULL,
    "lastCallAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Line_pkey" PRIMARY KEY ("line")
);

-- CreateTable
CREATE TABLE "IngestMinute" (
    "bucket" TIMESTAMP(3) NOT NULL,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "signatureFailures" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "deferred" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "IngestMinute_pkey" PRIMARY KEY ("bucket")
);

-- Lines already called before this version: when each was last heard from.
INSERT INTO "Line" ("line", "lastCallbackAt", "lastCallAt")
SELECT COALESCE("to", ''), MAX("updatedAt"), MAX("startedAt") FROM "Call" GROUP BY COALESCE("to", '');
