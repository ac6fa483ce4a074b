-- Counts expired leases (they wait for the next take) and forgets consumers of workers that are
-- gone: no pending entry and idle for longer than ARGV[3] ms. A consumer with pending entries is
-- never deleted (that would drop its jobs).
-- KEYS[1] stream; ARGV[1] group, ARGV[2] visibility timeout ms, ARGV[3] consumer idle limit ms
-- Returns {expired leases (up to 1000), consumers deleted}
local p = redis.pcall('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[2], '-', '+', 1000)
if type(p) == 'table' and p['err'] then
  return {0, 0}
end
local deleted = 0
local consumers = redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
for _, c in ipairs(consumers) do
  local info = {}
  for i = 1, #c, 2 do
    info[c[i]] = c[i + 1]
  end
  if info['pending'] == 0 and info['idle'] > tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
    deleted = deleted + 1
  end
end
return {#p, deleted}
