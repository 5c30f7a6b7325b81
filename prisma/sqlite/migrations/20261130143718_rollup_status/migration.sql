-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Rollup" (
    "resolution" INTEGER NOT NULL,
    "bucket" DATETIME NOT NULL,
    "line" TEXT NOT NULL,
    "direction" TEXT NOT NULL DEFAULT 'inbound',
    "status" TEXT NOT NULL DEFAULT '',
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

    PRIMARY KEY ("resolution", "bucket", "line", "direction", "status")
);
INSERT INTO "new_Rollup" ("badAudioSum", "bucket", "calls", "completed", "direction", "dur0", "dur1", "dur2", "dur3", "dur4", "dur5", "durationCount", "durationSum", "finished", "flushSum", "jit0", "jit1", "jit2", "jit3", "jit4", "jit5", "jitterCount", "jitterSumCenti", "line", "loss0", "loss1", "loss2", "loss3", "loss4", "loss5", "loss6", "lossCount", "lostSum", "mosBad", "mosCount", "mosExcellent", "mosFair", "mosGood", "mosPoor", "mosSumCenti", "packetsSum", "resolution") SELECT "badAudioSum", "bucket", "calls", "completed", "direction", "dur0", "dur1", "dur2", "dur3", "dur4", "dur5", "durationCount", "durationSum", "finished", "flushSum", "jit0", "jit1", "jit2", "jit3", "jit4", "jit5", "jitterCount", "jitterSumCenti", "line", "loss0", "loss1", "loss2", "loss3", "loss4", "loss5", "loss6", "lossCount", "lostSum", "mosBad", "mosCount", "mosExcellent", "mosFair", "mosGood", "mosPoor", "mosSumCenti", "packetsSum", "resolution" FROM "Rollup";
DROP TABLE "Rollup";
ALTER TABLE "new_Rollup" RENAME TO "Rollup";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Call_status_startedAt_idx" ON "Call"("status", "startedAt");

-- CreateIndex
CREATE INDEX "Call_to_startedAt_idx" ON "Call"("to", "startedAt");

-- CreateIndex
CREATE INDEX "Call_direction_startedAt_idx" ON "Call"("direction", "startedAt");


-- The rollups now keep each call's status: forgetting how they were counted makes the server
-- recount them from the calls at its next start (ensureRollups). Rows before a retention purge
-- are kept as they are, with the status "".
DELETE FROM "Setting" WHERE "key" = 'rollup.mosLimits';
