-- CreateTable
CREATE TABLE "FailureRollup" (
    "resolution" INTEGER NOT NULL,
    "bucket" DATETIME NOT NULL,
    "line" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "sipCode" INTEGER NOT NULL,
    "calls" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("resolution", "bucket", "line", "direction", "status", "sipCode")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Call" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "callSid" TEXT NOT NULL,
    "accountSid" TEXT,
    "from" TEXT,
    "to" TEXT,
    "status" TEXT NOT NULL,
    "sequence" INTEGER,
    "startedAt" DATETIME NOT NULL,
    "duration" INTEGER,
    "mos" REAL,
    "direction" TEXT NOT NULL DEFAULT 'inbound',
    "parentSid" TEXT,
    "sipCode" INTEGER,
    "packets" INTEGER,
    "lost" INTEGER,
    "jitter" REAL,
    "flushes" INTEGER,
    "firstSeenAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "eventId" INTEGER NOT NULL
);
INSERT INTO "new_Call" ("accountSid", "callSid", "duration", "eventId", "firstSeenAt", "from", "id", "mos", "sequence", "startedAt", "status", "to", "updatedAt") SELECT "accountSid", "callSid", "duration", "eventId", "firstSeenAt", "from", "id", "mos", "sequence", "startedAt", "status", "to", "updatedAt" FROM "Call";
DROP TABLE "Call";
ALTER TABLE "new_Call" RENAME TO "Call";
CREATE UNIQUE INDEX "Call_callSid_key" ON "Call"("callSid");
CREATE UNIQUE INDEX "Call_eventId_key" ON "Call"("eventId");
CREATE INDEX "Call_startedAt_idx" ON "Call"("startedAt");
CREATE INDEX "Call_parentSid_idx" ON "Call"("parentSid");
CREATE TABLE "new_Line" (
    "line" TEXT NOT NULL,
    "direction" TEXT NOT NULL DEFAULT 'inbound',
    "lastCallbackAt" DATETIME NOT NULL,
    "lastCallAt" DATETIME NOT NULL,

    PRIMARY KEY ("line", "direction")
);
INSERT INTO "new_Line" ("lastCallAt", "lastCallbackAt", "line") SELECT "lastCallAt", "lastCallbackAt", "line" FROM "Line";
DROP TABLE "Line";
ALTER TABLE "new_Line" RENAME TO "Line";
CREATE TABLE "new_Rollup" (
    "resolution" INTEGER NOT NULL,
    "bucket" DATETIME NOT NULL,
    "line" TEXT NOT NULL,
    "direction" TEXT NOT NULL DEFAULT 'inbound',
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
    "lossCount" INTEGER NOT NULL DEFAULT 0,
    "packetsSum" BIGINT NOT NULL DEFAULT 0,
    "lostSum" BIGINT NOT NULL DEFAULT 0,
    "loss0" INTEGER NOT NULL DEFAULT 0,
    "loss1" INTEGER NOT NULL DEFAULT 0,
    "loss2" INTEGER NOT NULL DEFAULT 0,
    "loss3" INTEGER NOT NULL DEFAULT 0,
    "loss4" INTEGER NOT NULL DEFAULT 0,
    "loss5" INTEGER NOT NULL DEFAULT 0,
    "loss6" INTEGER NOT NULL DEFAULT 0,
    "jitterCount" INTEGER NOT NULL DEFAULT 0,
    "jitterSumCenti" BIGINT NOT NULL DEFAULT 0,
    "jit0" INTEGER NOT NULL DEFAULT 0,
    "jit1" INTEGER NOT NULL DEFAULT 0,
    "jit2" INTEGER NOT NULL DEFAULT 0,
    "jit3" INTEGER NOT NULL DEFAULT 0,
    "jit4" INTEGER NOT NULL DEFAULT 0,
    "jit5" INTEGER NOT NULL DEFAULT 0,
    "flushSum" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("resolution", "bucket", "line", "direction")
);
INSERT INTO "new_Rollup" ("badAudioSum", "bucket", "calls", "completed", "dur0", "dur1", "dur2", "dur3", "dur4", "dur5", "durationCount", "durationSum", "finished", "line", "mosBad", "mosCount", "mosExcellent", "mosFair", "mosGood", "mosPoor", "mosSumCenti", "resolution") SELECT "badAudioSum", "bucket", "calls", "completed", "dur0", "dur1", "dur2", "dur3", "dur4", "dur5", "durationCount", "durationSum", "finished", "line", "mosBad", "mosCount", "mosExcellent", "mosFair", "mosGood", "mosPoor", "mosSumCenti", "resolution" FROM "Rollup";
DROP TABLE "Rollup";
ALTER TABLE "new_Rollup" RENAME TO "Rollup";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Calls stored before directions were kept: legs (a ParentCallSid or an outbound Direction in any
-- of their callbacks) are told apart from inbound calls and put under their parent, and the
-- rollups are recounted at the next start (removing the record of how they were counted makes the
-- server recount them, by direction).
UPDATE "Call" SET "direction" = 'outbound-dial'
 WHERE "callSid" IN (SELECT "callSid" FROM "CallEvent"
                      WHERE "raw" LIKE '%"ParentCallSid":"_%' OR "raw" LIKE '%"Direction":"outbound-dial"%');
UPDATE "Call" SET "direction" = 'outbound-api'
 WHERE "direction" = 'inbound'
   AND "callSid" IN (SELECT "callSid" FROM "CallEvent"
                      WHERE "raw" LIKE '%"Direction":"outbound-api"%' OR "raw" LIKE '%"Direction":"outbound"%');
UPDATE "Call" SET "parentSid" = (SELECT json_extract(e."raw", '$.ParentCallSid') FROM "CallEvent" e
                                  WHERE e."callSid" = "Call"."callSid" AND e."raw" LIKE '%"ParentCallSid":"_%'
                                  ORDER BY e."id" LIMIT 1)
 WHERE "direction" = 'outbound-dial';
-- Numbers heard from only through legs or outbound calls (agents', customers') are not lines.
DELETE FROM "Line"
 WHERE "line" NOT IN (SELECT COALESCE("to", '') FROM "Call" WHERE "direction" = 'inbound');
DELETE FROM "Setting" WHERE "key" = 'rollup.mosLimits';
