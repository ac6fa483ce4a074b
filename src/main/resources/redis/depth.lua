-- Jobs waiting (in the stream, not delivered): stream length minus the group's pending entries.
-- KEYS[1] stream; ARGV[1] group
local p = redis.pcall('XPENDING', KEYS[1], ARGV[1])
if type(p) == 'table' and p['err'] then
  return redis.call('XLEN', KEYS[1])
end
return redis.call('XLEN', KEYS[1]) - p[1]
