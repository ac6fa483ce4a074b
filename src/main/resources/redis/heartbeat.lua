-- Records a worker's heartbeat, stamped with the Redis server's clock (workers' clocks may differ).
-- KEYS[1] workers hash; ARGV[1] worker id, ARGV[2] status JSON (without last_seen_ms)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], now .. ' ' .. ARGV[2])
return now
