-- wrk script: every request carries one session value from a precomputed list, in turn.
--
--   wrk ... -s sessions.lua URL -- VALUES_FILE HEADER [PREFIX]
--
-- VALUES_FILE has one value a line (one line: a fixed session; 10,000 lines: 10,000 sessions).
-- The request gets "HEADER: PREFIX<value>", e.g. "Cookie: sticky=<value>" or
-- "x-session: <Base64(ip:port)>". Each thread starts at a different place in the list.
-- At the end one machine-readable RESULT line goes to stdout (latencies in microseconds).

local count = 0

function setup(thread)
  count = count + 1
  thread:set("tid", count)
end

function init(args)
  local file, header, prefix = args[1], args[2], args[3] or ""
  values = {}
  for line in io.lines(file) do
    values[#values + 1] = prefix .. line
  end
  n = #values
  if n == 0 then
    error("no session values in " .. file)
  end
  i = ((tid or 1) - 1) * 7919 % n
  name = header
  headers = {}
end

function request()
  i = i % n + 1
  headers[name] = values[i]
  return wrk.format(nil, nil, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d"
      .. " p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
