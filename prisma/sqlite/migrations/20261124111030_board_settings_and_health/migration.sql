-- CreateTable
CREATE TABLE "Line" (
    "line" TEXT NOT NULL PRIMARY KEY,
    "lastCallbackAt" DATETIME NOT NULL,
    "lastCallAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "IngestMinute" (
    "bucket" DATETIME NOT NULL PRIMARY KEY,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "signatureFailures" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "deferred" INTEGER NOT NULL DEFAULT 0
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Rollup" (
    "resolution" INTEGER NOT NULL,
    "bucket" DATETIME NOT NULL,
    "line" TEXT NOT NULL,
    "calls" INTEGER NOT NULL DEFAULT 0,
    "finished" INTEGER NOT NULL DEFAULT 0,
    "completed" INTEGER NOT NULL DEFAULT 0,
    "durationSum" INTEGER NOT NULL DEFAULT 0,
    "durationCount" INTEGER NOT NULL DEFAULT 0,
    "mosSumCenti" INTEGER NOT NULL DEFAULT 0,
    "mosCount" INTEGER NOT NULL DEFAULT 0,
    "mosBad" INTEGER NOT NULL DEFAULT 0,
    "mosPoor" INTEGER NOT NULL DEFAULT 0,
    "mosFair" INTEGER NOT NULL DEFAULT 0,
    "mosGood" INTEGER NOT NULL DEFAULT 0,
    "mosExcellent" INTEGER NOT NULL DEFAULT 0,
    "dur0" INTEGER NOT NULL DEFAULT 0,
    "dur1" INTEGER NOT NULL DEFAULT 0,
    "dur2" INTEGER NOT NULL DEFAULT 0,
    "dur3" INTEGER NOT NULL DEFAULT 0,
    "dur4" INTEGER NOT NULL DEFAULT 0,
    "dur5" INTEGER NOT NULL DEFAULT 0,
    "badAudioSum" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("resolution", "bucket", "line")
);
INSERT INTO "new_Rollup" ("bucket", "calls", "completed", "dur0", "dur1", "dur2", "dur3", "dur4", "dur5", "durationCount", "durationSum", "finished", "line", "mosBad", "mosCount", "mosExcellent", "mosFair", "mosGood", "mosPoor", "mosSumCenti", "resolution") SELECT "bucket", "calls", "completed", "dur0", "dur1", "dur2", "dur3", "dur4", "dur5", "durationCount", "durationSum", "finished", "line", "mosBad", "mosCount", "mosExcellent", "mosFair", "mosGood", "mosPoor", "mosSumCenti", "resolution" FROM "Rollup";
DROP TABLE "Rollup";
ALTER TABLE "new_Rollup" RENAME TO "Rollup";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Lines already called before this version: when each was last heard from.
INSERT INTO "Line" ("line", "lastCallbackAt", "lastCallAt")
SELECT COALESCE("to", ''), MAX("updatedAt"), MAX("startedAt") FROM "Call" GROUP BY COALESCE("to", '');
