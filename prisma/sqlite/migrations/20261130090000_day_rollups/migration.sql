-- Day rollup rows (resolution 1440, UTC days), summed from the hour rows, for the middle of long
-- ranges: a month is then about 30 rows per line and direction instead of about 720.
DELETE FROM "Rollup" WHERE "resolution" = 1440;
INSERT INTO "Rollup" ("resolution", "bucket", "line", "direction", "calls", "finished", "completed", "durationSum", "durationCount", "mosSumCenti", "mosCount", "mosBad", "mosPoor", "mosFair", "mosGood", "mosExcellent", "dur0", "dur1", "dur2", "dur3", "dur4", "dur5", "badAudioSum", "lossCount", "packetsSum", "lostSum", "loss0", "loss1", "loss2", "loss3", "loss4", "loss5", "loss6", "jitterCount", "jitterSumCenti", "jit0", "jit1", "jit2", "jit3", "jit4", "jit5", "flushSum")
SELECT 1440, ("bucket" / 86400000) * 86400000, "line", "direction", SUM("calls"), SUM("finished"), SUM("completed"), SUM("durationSum"), SUM("durationCount"), SUM("mosSumCenti"), SUM("mosCount"), SUM("mosBad"), SUM("mosPoor"), SUM("mosFair"), SUM("mosGood"), SUM("mosExcellent"), SUM("dur0"), SUM("dur1"), SUM("dur2"), SUM("dur3"), SUM("dur4"), SUM("dur5"), SUM("badAudioSum"), SUM("lossCount"), SUM("packetsSum"), SUM("lostSum"), SUM("loss0"), SUM("loss1"), SUM("loss2"), SUM("loss3"), SUM("loss4"), SUM("loss5"), SUM("loss6"), SUM("jitterCount"), SUM("jitterSumCenti"), SUM("jit0"), SUM("jit1"), SUM("jit2"), SUM("jit3"), SUM("jit4"), SUM("jit5"), SUM("flushSum")
  FROM "Rollup" WHERE "resolution" = 60 GROUP BY 2, 3, 4;
DELETE FROM "FailureRollup" WHERE "resolution" = 1440;
INSERT INTO "FailureRollup" ("resolution", "bucket", "line", "direction", "status", "sipCode", "calls")
SELECT 1440, ("bucket" / 86400000) * 86400000, "line", "direction", "status", "sipCode", SUM("calls")
  FROM "FailureRollup" WHERE "resolution" = 60 GROUP BY 2, 3, 4, 5, 6;
