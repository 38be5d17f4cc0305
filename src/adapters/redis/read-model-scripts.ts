/*
 * Keys live under `<base>g<generation>:`; `<base>generation` names the generation readers use, so a
 * rebuild can fill a new generation and switch in one SET. ARGV[1] is the base `<prefix>{rm}:`, whose
 * hash tag keeps every read-model key in one Cluster slot; ARGV[2] a fixed generation or '' for the
 * current one. KEYS[1] is the generation key (`<base>generation`), declared so a Cluster routes the script.
 */
const generationBase = `
local generation = ARGV[2]
if generation == '' then generation = redis.call('GET', KEYS[1]) or '1' end
local base = ARGV[1] .. 'g' .. generation .. ':'
`;

/**
 * `inChunks(list, width, call)` calls `call(first, last)` for consecutive ranges of `list` (whole groups
 * of `width` items): one Redis command takes many keys, but Lua's `unpack` only so many values at once.
 */
const inChunks = `
local inChunks = function(list, width, call)
  local size = width * math.floor(2000 / width)
  for first = 1, #list, size do call(first, math.min(first + size - 1, #list)) end
end
`;

/**
 * Readers answer only from a generation promoted complete (its `serving` key holds the store id it was
 * built from): an emptied Redis, a generation being built or one found wrong answers nothing.
 */
const servingGuard = `
if not redis.call('GET', base .. 'serving') then return redis.error_reply('REBUILDING read models are not complete') end
`;

/** The error readers get from a generation that does not serve. */
export const rebuildingReply = 'REBUILDING';

/**
 * ARGV[3]: 'username' or 'user'; ARGV[4]: the username or user id. Returns {user, office} or {}. The
 * projection writes a user document's userId and officeId first: the office id is read off its start
 * (about half the script's time goes to decoding the whole document otherwise), and the document is
 * decoded only when it starts otherwise or the id holds an escape. A quote inside a JSON string is
 * escaped, so no value can imitate the start.
 */
export const loginLookupScript = `${generationBase}${servingGuard}
local userId = ARGV[4]
if ARGV[3] == 'username' then userId = redis.call('GET', base .. 'username:' .. ARGV[4]) end
if not userId then return {} end
local user = redis.call('GET', base .. 'user:' .. userId)
if not user then return {} end
local officeId = string.match(user, '^{"userId":"[^"]*","officeId":"([^"\\\\]*)"') or cjson.decode(user).officeId
local office = redis.call('GET', base .. 'office:' .. officeId)
return {user, office or ''}
`;

/** ARGV[3]: office id; ARGV[4]: ZRANGEBYLEX start; ARGV[5]: count. Returns member keys then user JSONs. */
export const membersPageScript = `${generationBase}${servingGuard}
local keys = redis.call('ZRANGEBYLEX', base .. 'members:' .. ARGV[3], ARGV[4], '+', 'LIMIT', 0, tonumber(ARGV[5]))
local result = {}
for i, key in ipairs(keys) do
  result[i] = key
  local userId = string.sub(key, string.find(key, '\\0', 1, true) + 1)
  result[#keys + i] = redis.call('GET', base .. 'user:' .. userId) or ''
end
return result
`;

/** Every office document, by office id (the \`offices\` index is filled by the apply script). */
export const officesScript = `${generationBase}${servingGuard}
local ids = redis.call('ZRANGE', base .. 'offices', 0, -1)
local result = {}
for i, id in ipairs(ids) do result[i] = redis.call('GET', base .. 'office:' .. id) or '' end
return result
`;

/**
 * ARGV[3..]: document keys ('user:<id>', 'office:<id>'). Returns {generation, checkpoint, origin, target,
 * serving, rejected, projection, each document or ''} (origin: the store id the generation is built from,
 * or ''; projection: its projection version, '' before versions were recorded).
 */
export const readDocumentsScript = `${generationBase}${inChunks}
local header = redis.call('MGET', base .. 'checkpoint', base .. 'origin', base .. 'target', base .. 'serving', base .. 'rejected', base .. 'projection')
local result = {generation, header[1] or '0'}
for i = 2, 6 do result[i + 1] = header[i] or '' end
local keys = {}
for i = 3, #ARGV do keys[#keys + 1] = base .. ARGV[i] end
inChunks(keys, 1, function(first, last)
  for _, document in ipairs(redis.call('MGET', unpack(keys, first, last))) do result[#result + 1] = document or '' end
end)
return result
`;

/**
 * With a fixed generation: ARGV[3] the store id, ARGV[4] the target position, ARGV[5] the projection
 * version. Returns 'started' or 'exists'.
 */
export const startBuildScript = `${generationBase}
if redis.call('EXISTS', base .. 'checkpoint', base .. 'origin') > 0 then return 'exists' end
redis.call('SET', base .. 'checkpoint', '0')
redis.call('SET', base .. 'origin', ARGV[3])
redis.call('SET', base .. 'target', ARGV[4])
redis.call('SET', base .. 'projection', ARGV[5])
return 'started'
`;

/**
 * With a fixed generation: when it has reached its target, marks it serving and points readers at it in
 * one step, unless a newer generation is current already. Returns the generation replaced, or ''.
 */
export const promoteScript = `${generationBase}
local origin = redis.call('GET', base .. 'origin')
local checkpoint = tonumber(redis.call('GET', base .. 'checkpoint') or '-1')
local target = tonumber(redis.call('GET', base .. 'target') or '0')
if not origin or checkpoint < target or redis.call('GET', base .. 'rejected') then return '' end
local current = redis.call('GET', KEYS[1]) or '1'
if tonumber(current) > tonumber(generation) then return '' end
redis.call('SET', base .. 'serving', origin)
redis.call('SET', KEYS[1], generation)
return current
`;

/** ARGV[3]: the generation judged. When it is still current, it answers nothing from now on and is never promoted again. */
export const rejectScript = `${generationBase}
if generation ~= ARGV[3] then return 'moved' end
redis.call('DEL', base .. 'serving')
redis.call('SET', base .. 'rejected', '1')
return 'rejected'
`;

/**
 * Applies a batch in one step. ARGV[3]: generation read before; ARGV[4]: previous position; ARGV[5]:
 * the batch's last position; ARGV[6]: n documents, then n pairs (key, JSON); then m members, then m
 * quadruples (officeId, member key, username, user id); then e erased users, then e quadruples (user id,
 * username, officeId, member key), removed after the rest so a user registered and erased in one batch goes.
 * Documents and usernames go in MSETs, members in one ZADD per office: a batch of 1,000 events makes a
 * handful of commands instead of one or more per event.
 */
export const applyBatchScript = `${generationBase}${inChunks}
local checkpoint = tonumber(redis.call('GET', base .. 'checkpoint') or '0')
local last = tonumber(ARGV[5])
if last <= checkpoint then return 'skipped' end
if generation ~= ARGV[3] or checkpoint ~= tonumber(ARGV[4]) then return 'behind' end
-- A generation never started (or emptied with Redis) takes nothing: it is built from the start instead.
if not redis.call('GET', base .. 'origin') then return 'behind' end
local i = 6
local documents = tonumber(ARGV[i])
local writes = {}
for d = 1, documents do
  writes[#writes + 1] = base .. ARGV[i + 1]
  writes[#writes + 1] = ARGV[i + 2]
  if string.sub(ARGV[i + 1], 1, 7) == 'office:' then
    redis.call('ZADD', base .. 'offices', 0, string.sub(ARGV[i + 1], 8))
  end
  i = i + 2
end
i = i + 1
local members = tonumber(ARGV[i])
-- One ZADD per run of members of the same office (a page holds an office's users one after another).
local office, run = nil, {}
local addRun = function()
  if not office then return end
  inChunks(run, 2, function(first, last) redis.call('ZADD', base .. 'members:' .. office, unpack(run, first, last)) end)
end
for m = 1, members do
  if ARGV[i + 1] ~= office then
    addRun()
    office, run = ARGV[i + 1], {}
  end
  run[#run + 1] = 0
  run[#run + 1] = ARGV[i + 2]
  writes[#writes + 1] = base .. 'username:' .. ARGV[i + 3]
  writes[#writes + 1] = ARGV[i + 4]
  i = i + 4
end
addRun()
inChunks(writes, 2, function(first, last) redis.call('MSET', unpack(writes, first, last)) end)
i = i + 1
local erasures = tonumber(ARGV[i])
for e = 1, erasures do
  local userId = ARGV[i + 1]
  redis.call('DEL', base .. 'user:' .. userId)
  if redis.call('GET', base .. 'username:' .. ARGV[i + 2]) == userId then
    redis.call('DEL', base .. 'username:' .. ARGV[i + 2])
  end
  redis.call('ZREM', base .. 'members:' .. ARGV[i + 3], ARGV[i + 4])
  i = i + 4
end
redis.call('SET', base .. 'checkpoint', ARGV[5])
return 'applied'
`;
