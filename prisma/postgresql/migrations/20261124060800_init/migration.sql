-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Call" (
    "id" SERIAL NOT NULL,
    "callSid" TEXT NOT NULL,
    "accountSid" TEXT,
    "from" TEXT,
    "to" TEXT,
    "status" TEXT NOT NULL,
    "sequence" INTEGER,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "duration" INTEGER,
    "mos" DOUBLE PRECISION,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "eventId" INTEGER NOT NULL,

    CONSTRAINT "Call_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CallEvent" (
    "id" SERIAL NOT NULL,
    "callSid" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "sequence" INTEGER,
    "timestamp" TIMESTAMP(3),
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "raw" TEXT NOT NULL,
    "deliveries" INTEGER NOT NULL DEFAULT 1,
    "applied" BOOLEAN NOT NULL,

    CONSTRAINT "CallEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rollup" (
    "resolution" INTEGER NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
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

    CONSTRAINT "Rollup_pkey" PRIMARY KEY ("resolution","bucket","line")
);

-- CreateIndex
CREATE UNIQUE INDEX "Call_callSid_key" ON "Call"("callSid");

-- CreateIndex
CREATE UNIQUE INDEX "Call_eventId_key" ON "Call"("eventId");

-- CreateIndex
CREATE INDEX "Call_startedAt_idx" ON "Call"("startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CallEvent_callSid_status_key" ON "CallEvent"("callSid", "status");
