-- wrk script: every request carries an Idempotency-Key no request has carried before.
-- Usage: wrk ... -s bench/idempotency-keys.lua URL -- RUN-ID [keys|none] [PAUSE-MS]
-- RUN-ID keeps keys unique across runs. "none" builds the same requests the same way without the
-- header: a baseline that pays the same cost in wrk for generating each request in Lua. PAUSE-MS
-- (default 0) is waited on each connection before each request, to hold the load below the API's limit.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  prefix = (args[1] or "run") .. "-" .. thread_id .. "-"
  without = args[2] == "none"
  counter = 0
  -- Defined only with a pause: wrk schedules every request through a timer once a script has delay().
  local pause = tonumber(args[3] or "0")
  if pause > 0 then
    delay = function() return pause end
  end
end

function request()
  counter = counter + 1
  if without then
    return wrk.format(nil, nil, {})
  end
  return wrk.format(nil, nil, { ["Idempotency-Key"] = prefix .. counter })
end
