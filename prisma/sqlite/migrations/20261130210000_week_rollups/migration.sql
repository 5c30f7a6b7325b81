-- Week rollup rows (resolution 10080: seven days from a Thursday, 00:00 UTC, the epoch's weekday),
-- summed from the day rows, for the middle of ranges of months or years: two years are then about
-- 104 rows per line, direction and status instead of about 730.
DELETE FROM "Rollup" WHERE "resolution" = 10080;
INSERT INTO "Rollup" ("resolution", "bucket", "line", "direction", "status", "calls", "finished", "completed", "durationSum", "durationCount", "mosSumCenti", "mosCount", "mosBad", "mosPoor", "mosFair", "mosGood", "mosExcellent", "dur0", "dur1", "dur2", "dur3", "dur4", "dur5", "badAudioSum", "lossCount", "packetsSum", "lostSum", "loss0", "loss1", "loss2", "loss3", "loss4", "loss5", "loss6", "jitterCount", "jitterSumCenti", "jit0", "jit1", "jit2", "jit3", "jit4", "jit5", "flushSum")
SELECT 10080, ("bucket" / 604800000) * 604800000, "line", "direction", "status", SUM("calls"), SUM("finished"), SUM("completed"), SUM("durationSum"), SUM("durationCount"), SUM("mosSumCenti"), SUM("mosCount"), SUM("mosBad"), SUM("mosPoor"), SUM("mosFair"), SUM("mosGood"), SUM("mosExcellent"), SUM("dur0"), SUM("dur1"), SUM("dur2"), SUM("dur3"), SUM("dur4"), SUM("dur5"), SUM("badAudioSum"), SUM("lossCount"), SUM("packetsSum"), SUM("lostSum"), SUM("loss0"), SUM("loss1"), SUM("loss2"), SUM("loss3"), SUM("loss4"), SUM("loss5"), SUM("loss6"), SUM("jitterCount"), SUM("jitterSumCenti"), SUM("jit0"), SUM("jit1"), SUM("jit2"), SUM("jit3"), SUM("jit4"), SUM("jit5"), SUM("flushSum")
  FROM "Rollup" WHERE "resolution" = 1440 GROUP BY 2, 3, 4, 5;
DELETE FROM "FailureRollup" WHERE "resolution" = 10080;
INSERT INTO "FailureRollup" ("resolution", "bucket", "line", "direction", "status", "sipCode", "calls")
SELECT 10080, ("bucket" / 604800000) * 604800000, "line", "direction", "status", "sipCode", SUM("calls")
  FROM "FailureRollup" WHERE "resolution" = 1440 GROUP BY 2, 3, 4, 5, 6;
