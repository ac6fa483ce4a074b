-- Counts a new job of one API key unless the key is at its quota.
-- KEYS[1] the key's sorted set of unfinished job ids, scored by when they stop counting anyway (ms)
-- ARGV[1] now (ms), ARGV[2] the new job's deadline (ms), ARGV[3] quota, ARGV[4] job id
-- Entries past their deadline are dropped first: a job whose API server died before it could remove
-- the id stops counting at the latest when its result would have expired.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
