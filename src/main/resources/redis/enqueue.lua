-- Adds a job to the stream unless the jobs waiting (not yet delivered) reach the bound.
-- KEYS[1] stream; ARGV[1] group, ARGV[2] capacity, ARGV[3] job JSON
-- Returns the number waiting after the add, or -1 when full.
local p = redis.pcall('XPENDING', KEYS[1], ARGV[1])
local pending = 0
if type(p) == 'table' and p['err'] then
  -- no stream or no group yet: create both; entries already in the stream are delivered from 0
  redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
else
  pending = p[1]
end
local waiting = redis.call('XLEN', KEYS[1]) - pending
if waiting >= tonumber(ARGV[2]) then
  return -1
end
redis.call('XADD', KEYS[1], '*', 'job', ARGV[3])
return waiting + 1
