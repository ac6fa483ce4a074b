-- Compare-and-set on the status: replaces the result only if its status is still ARGV[1]. The
-- caller has checked that ARGV[1] may move to ARGV[2]. The TTL restarts with every write.
-- Every change is announced on a channel (in the same script, so it is never announced unwritten):
-- API processes push it to requests waiting for that result.
-- KEYS[1] result key; ARGV[1] expected status, ARGV[2] new status, ARGV[3] result JSON, ARGV[4] TTL ms,
-- ARGV[5] the channel, ARGV[6] the submission id
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'json', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
