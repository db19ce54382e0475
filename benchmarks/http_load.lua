-- wrk script for benchmarks/http_load.py: one connection per wrk thread (-t N -c N), so each
-- thread's Lua state knows which request a response answers.
--   WRK_MODE   get: GET /api/v1/findings/<id>, cycling over the ids in WRK_READS
--              fire: POST /api/v1/findings/<id>/transitions/urge with If-Match, on this thread's
--                    own finding (rows of WRK_FIRES dealt out by thread), the version tracked
--                    from each response; after a refusal the thread moves to its next finding.
--                    (A request in flight when wrk stops may still commit: the caller re-reads
--                    the versions into WRK_FIRES before the next run.)
--              mixed: even threads fire, odd threads cycle over API and HTML pages
--   WRK_TOKEN  the bearer token;  WRK_THREADS  the -t given;  WRK_OUT  where done() writes JSON
--   WRK_FOCUS  the unit (a 集团) the mixed load's dashboard is focused on
--   WRK_RATE   requests/s over all threads, paced on a fixed timetable (0: as fast as it goes)
local ffi = require("ffi")
ffi.cdef [[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
            int clock_gettime(int clock, bench_timespec *ts); ]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local mode = os.getenv("WRK_MODE") or "get"
local threads_n = tonumber(os.getenv("WRK_THREADS") or "1")
local rate = tonumber(os.getenv("WRK_RATE") or "0")
local token = os.getenv("WRK_TOKEN") or ""
local message = '{"payload": {"message": "Please report progress (benchmark)."}}'

-- main state: number the threads, gather their numbers at the end
local started = {}
function setup(thread)
  thread:set("index", #started)
  table.insert(started, thread)
end

-- thread state
lat, bad, late, statuses, first_bad, fired = {}, 0, 0, {}, "", 0
local ids, versions = {}, {} -- this thread's findings to fire on, and their versions
local reads, cur, pos, due, next_due, page = {}, 1, 1, 0, nil, 0
local interval = rate > 0 and threads_n * 1000 / rate or 0

local function lines(path)
  local found = {}
  if path then for line in io.lines(path) do table.insert(found, line) end end
  return found
end

function init(args)
  local k = 0
  for _, line in ipairs(lines(os.getenv("WRK_FIRES"))) do
    if k % threads_n == index then
      local id, version = line:match("(%d+) (%d+)")
      table.insert(ids, id)
      table.insert(versions, version)
    end
    k = k + 1
  end
  local all = lines(os.getenv("WRK_READS"))
  for i = 1, #all do reads[i] = all[(i + index * 37 - 1) % #all + 1] end -- a different start each
end

local function firing()
  return mode == "fire" or (mode == "mixed" and index % 2 == 0)
end

local headers = { ["Authorization"] = "Bearer " .. token }
local pages = { "/api/v1/findings/%s", "/findings/%s", "/ledger", "/api/v1/findings?limit=50",
                "/api/v1/findings/%s", "/work", "/findings/%s", "/ledger?state=assigned",
                "/api/v1/findings/%s", "/dashboard?unit=" .. (os.getenv("WRK_FOCUS") or "") }

local function next_read()
  local id = reads[pos]
  pos = pos % #reads + 1
  if mode == "get" then return "/api/v1/findings/" .. id end
  page = page % #pages + 1
  return string.format(pages[page], id)
end

function request()
  if interval == 0 then due = now_ms() end
  if firing() then
    return wrk.format("POST", "/api/v1/findings/" .. ids[cur] .. "/transitions/urge", {
      ["Authorization"] = headers["Authorization"], ["Content-Type"] = "application/json",
      ["If-Match"] = versions[cur] }, message)
  end
  return wrk.format("GET", next_read(), headers)
end

if rate > 0 then
  function delay()
    local now = now_ms()
    if next_due == nil then next_due = now + index * interval / threads_n end
    local slot = math.max(next_due, now)
    if now - next_due > interval then late = late + 1 end -- behind the timetable
    next_due, due = slot + interval, slot
    return math.floor(slot - now)
  end
end

function response(status, hdrs, body)
  table.insert(lat, now_ms() - due) -- from the time it was due: queueing counted
  local version = firing() and body:match('"version":%s*(%d+)')
  if status >= 300 or (firing() and not version) then
    bad = bad + 1
    statuses[status] = (statuses[status] or 0) + 1
    if first_bad == "" then first_bad = status .. " " .. body:sub(1, 300) end
    if firing() then cur = cur % #ids + 1 end
    return
  end
  if firing() then
    fired = fired + 1
    versions[cur] = version
  end
end

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local all, bad_n, late_n, fired_n, codes, first = {}, 0, 0, 0, {}, ""
  for _, thread in ipairs(started) do
    for _, ms in ipairs(thread:get("lat")) do table.insert(all, ms) end
    bad_n, late_n = bad_n + thread:get("bad"), late_n + thread:get("late")
    fired_n = fired_n + thread:get("fired")
    for status, n in pairs(thread:get("statuses")) do codes[status] = (codes[status] or 0) + n end
    if first == "" then first = thread:get("first_bad") end
  end
  table.sort(all)
  local function pct(p) return #all > 0 and all[math.max(1, math.ceil(#all * p / 100))] or 0 end
  local status_text = {}
  for status, n in pairs(codes) do table.insert(status_text, '"' .. status .. '": ' .. n) end
  local e = summary.errors
  local out = io.open(os.getenv("WRK_OUT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "responses": %d, "fired": %d, "non_2xx": %d, ' ..
    '"late": %d, "errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "wrk_p50_ms": %.3f, "wrk_p99_ms": %.3f, ' ..
    '"statuses": {%s}, "first_bad": %s}\n',
    summary.requests, summary.duration, #all, fired_n, bad_n, late_n, e.connect, e.read,
    e.write, e.timeout, pct(50), pct(99), pct(100), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, table.concat(status_text, ", "), json_string(first)))
  out:close()
end
