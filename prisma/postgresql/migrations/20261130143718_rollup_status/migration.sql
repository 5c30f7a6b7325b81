-- AlterTable
ALTER TABLE "Rollup" DROP CONSTRAINT "Rollup_pkey",
ADD COLUMN     "status" TEXT NOT NULL DEFAULT '',
ADD CONSTRAINT "Rollup_pkey" PRIMARY KEY ("resolution", "bucket", "line", "direction", "status");

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
