-- Claims the oldest expired lease (idle >= the visibility timeout) for this consumer.
-- KEYS[1] stream; ARGV[1] group, ARGV[2] consumer, ARGV[3] visibility timeout ms
-- Returns {id, {field, value, ...}, delivery} or {} when no lease has expired.
local p = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[3], '-', '+', 1)
if #p == 0 then
  return {}
end
local id = p[1][1]
local delivery = p[1][4] + 1
local c = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], id)
if #c == 0 or not c[1] then
  -- pending but gone from the stream (trimmed by hand): nothing to run, forget it
  redis.call('XACK', KEYS[1], ARGV[1], id)
  return {}
end
return {id, c[1][2], delivery}
