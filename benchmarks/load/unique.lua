-- wrk script for the memory check: every request carries a session value never sent before.
--
--   WRK_THREADS=T wrk -tT ... -s unique.lua URL -- COUNT TAG MARKER_DIR HEADER [PREFIX]
--
-- Each thread sends "HEADER: PREFIX<TAG>-<thread>-<n>" with n = 1, 2, ... and stops once its
-- share of COUNT responses is in, leaving the file MARKER_DIR/done-<thread> (wrk itself only ends
-- at -d or on SIGINT, which run.sh sends once every thread is done). TAG keeps the values of
-- separate runs apart. The RESULT line gives the responses counted: the distinct values the
-- proxy answered.

local count = 0

function setup(thread)
  count = count + 1
  thread:set("tid", count)
end

function init(args)
  local total, tag, header, prefix = tonumber(args[1]), args[2], args[4], args[5] or ""
  marker = args[3] .. "/done-" .. tid
  -- wrk starts threads one by one; the thread count comes from WRK_THREADS (set by run.sh).
  local threads = tonumber(os.getenv("WRK_THREADS") or "1")
  quota = math.ceil(total / threads)
  base = prefix .. tag .. "-" .. tid .. "-"
  name = header
  sent = 0
  answered = 0
  headers = {}
end

function request()
  sent = sent + 1
  headers[name] = base .. sent
  return wrk.format(nil, nil, headers)
end

function response(status, hdrs, body)
  answered = answered + 1
  if answered == quota then
    local f = io.open(marker, "w")
    f:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d"
      .. " p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
