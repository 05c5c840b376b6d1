-- wrk script: every request carries an Idempotency-Key no request has carried before.
-- Usage: wrk ... -s bench/idempotency-keys.lua URL -- RUN-ID [none]
-- RUN-ID keeps keys unique across runs. "none" builds the same requests the same way without the
-- header: a baseline that pays the same cost in wrk for generating each request in Lua.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  prefix = (args[1] or "run") .. "-" .. thread_id .. "-"
  without = args[2] == "none"
  counter = 0
end

function request()
  counter = counter + 1
  if without then
    return wrk.format(nil, nil, {})
  end
  return wrk.format(nil, nil, { ["Idempotency-Key"] = prefix .. counter })
end
