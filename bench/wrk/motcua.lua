-- The requests of motcua's benchmarks for wrk, and a done() hook that prints the figures as
-- one JSON line for bench/load.py.
--
--   wrk ... -s bench/wrk/motcua.lua http://127.0.0.1:PORT -- KIND ARG [TOKEN]
--
--   paths FILE        GET each path of FILE (one per line) in turn
--   lookup-page FILE  GET /tra-cuu/?ma=CODE&dt=PHONE4 for each "CODE PHONE4" line of FILE
--   lookup-api FILE   GET /api/v1/lookup/CODE?phone=PHONE4 for the same lines
--   intake CODE       POST /api/v1/dossiers/ receiving a dossier of procedure CODE
--
-- TOKEN, when given, is sent as "Authorization: Token TOKEN", or as the Cookie header when it
-- has the form NAME=VALUE (a signed-in session, for the staff pages). Requests are built once in
-- init() so that request() costs a table lookup, not string work, under load.

local threads = 0
local prepared = {}
local index = 1

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local function escape(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if line:match("%S") then found[#found + 1] = line end
  end
  if #found == 0 then error("no requests in " .. path) end
  return found
end

function init(args)
  local kind, arg, token = args[1], args[2], args[3]
  local headers = {}
  if token and token:find("=", 1, true) then headers["Cookie"] = token  -- a staff session
  elseif token and token ~= "" then headers["Authorization"] = "Token " .. token end
  if kind == "intake" then
    headers["Content-Type"] = "application/json"
    local body = '{"procedure": "' .. arg .. '", "applicant": '
      .. '{"name": "Nguyễn Văn A", "phone": "0912345678"}}'
    prepared[1] = wrk.format("POST", "/api/v1/dossiers/", headers, body)
  else
    for _, line in ipairs(lines(arg)) do
      local path = line
      if kind == "lookup-page" or kind == "lookup-api" then
        local code, phone = line:match("^(%S+)%s+(%d+)%s*$")
        if kind == "lookup-page" then
          path = "/tra-cuu/?ma=" .. escape(code) .. "&dt=" .. phone
        else
          path = "/api/v1/lookup/" .. escape(code) .. "?phone=" .. phone
        end
      elseif kind ~= "paths" then
        error("unknown kind " .. tostring(kind))
      end
      prepared[#prepared + 1] = wrk.format("GET", path, headers)
    end
  end
  -- Each thread starts at its own place, so the threads do not ask for the same rows in step.
  math.randomseed(os.time() * 100 + (thread_number or 1))
  index = math.random(#prepared)
end

function request()
  local r = prepared[index]
  index = index % #prepared + 1
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
