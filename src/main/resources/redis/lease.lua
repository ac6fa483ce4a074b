-- Acts on a lease only if it is still held by this consumer at this delivery, so a worker whose
-- lease expired and was handed to another can never acknowledge, renew or release the new one.
-- KEYS[1] stream; ARGV[1] group, ARGV[2] consumer, ARGV[3] id, ARGV[4] delivery, ARGV[5] action
-- action: 'ack' (XACK + XDEL), 'renew' (reset idle time, count unchanged), 'release' (make it
-- claimable at once, delivery count restored so the hand-back does not count as a delivery).
-- Returns 1 when done, 0 when the lease is not (or no longer) this holder's.
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] or p[1][4] ~= tonumber(ARGV[4]) then
  return 0
end
if ARGV[5] == 'ack' then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
  redis.call('XDEL', KEYS[1], ARGV[3])
elseif ARGV[5] == 'renew' then
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
elseif ARGV[5] == 'release' then
  -- idle of ten years: expired for any visibility timeout; the next claim adds 1 back
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'IDLE', 315360000000,
    'RETRYCOUNT', tonumber(ARGV[4]) - 1, 'JUSTID')
else
  return redis.error_reply('unknown lease action ' .. ARGV[5])
end
return 1
