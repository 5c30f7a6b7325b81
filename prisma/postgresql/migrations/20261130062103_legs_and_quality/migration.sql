-- AlterTable
ALTER TABLE "Call" ADD COLUMN     "direction" TEXT NOT NULL DEFAULT 'inbound',
ADD COLUMN     "flushes" INTEGER,
ADD COLUMN     "jitter" DOUBLE PRECISION,
ADD COLUMN     "lost" INTEGER,
ADD COLUMN     "packets" INTEGER,
ADD COLUMN     "parentSid" TEXT,
ADD COLUMN     "sipCode" INTEGER;

-- AlterTable
ALTER TABLE "Rollup" DROP CONSTRAINT "Rollup_pkey",
ADD COLUMN     "direction" TEXT NOT NULL DEFAULT 'inbound',
ADD COLUMN     "flushSum" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "jit0" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "jit1" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "jit2" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "jit3" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "jit4" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "jit5" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "jitterCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "jitterSumCenti" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "loss0" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "loss1" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "loss2" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "loss3" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "loss4" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "loss5" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "loss6" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lossCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lostSum" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "packetsSum" BIGINT NOT NULL DEFAULT 0,
ADD CONSTRAINT "Rollup_pkey" PRIMARY KEY ("resolution", "bucket", "line", "direction");

-- AlterTable
ALTER TABLE "Line" DROP CONSTRAINT "Line_pkey",
ADD COLUMN     "direction" TEXT NOT NULL DEFAULT 'inbound',
ADD CONSTRAINT "Line_pkey" PRIMARY KEY ("line", "direction");

-- CreateTable
CREATE TABLE "FailureRollup" (
    "resolution" INTEGER NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "line" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "sipCode" INTEGER NOT NULL,
    "calls" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "FailureRollup_pkey" PRIMARY KEY ("resolution","bucket","line","direction","status","sipCode")
);

-- CreateIndex
CREATE INDEX "Call_parentSid_idx" ON "Call"("parentSid");

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
UPDATE "Call" SET "parentSid" = (SELECT (e."raw"::json ->> 'ParentCallSid') FROM "CallEvent" e
                                  WHERE e."callSid" = "Call"."callSid" AND e."raw" LIKE '%"ParentCallSid":"_%'
                                  ORDER BY e."id" LIMIT 1)
 WHERE "direction" = 'outbound-dial';
-- Numbers heard from only through legs or outbound calls (agents', customers') are not lines.
DELETE FROM "Line"
 WHERE "line" NOT IN (SELECT COALESCE("to", '') FROM "Call" WHERE "direction" = 'inbound');
DELETE FROM "Setting" WHERE "key" = 'rollup.mosLimits';
