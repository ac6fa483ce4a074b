-- Stores the first result of a submission; refuses if the key exists.
-- KEYS[1] result key; ARGV[1] status, ARGV[2] result JSON, ARGV[3] TTL ms
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'json', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
