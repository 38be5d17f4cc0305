/*
 * Keys live under `<prefix>g<generation>:`; `<prefix>generation` names the generation readers use, so a
 * rebuild can fill a new generation and switch in one SET. ARGV[1] is the prefix, ARGV[2] a fixed
 * generation or '' for the current one. Scripts take no KEYS: the service expects one Redis, not a cluster.
 */
const generationBase = `
local generation = ARGV[2]
if generation == '' then generation = redis.call('GET', ARGV[1] .. 'generation') or '1' end
local base = ARGV[1] .. 'g' .. generation .. ':'
`;

/** ARGV[3]: 'username' or 'user'; ARGV[4]: the username or user id. Returns {user, office} or {}. */
export const loginLookupScript = `${generationBase}
local userId = ARGV[4]
if ARGV[3] == 'username' then userId = redis.call('GET', base .. 'username:' .. ARGV[4]) end
if not userId then return {} end
local user = redis.call('GET', base .. 'user:' .. userId)
if not user then return {} end
local office = redis.call('GET', base .. 'office:' .. cjson.decode(user).officeId)
return {user, office or ''}
`;

/** ARGV[3]: 'user' or 'office'; ARGV[4]: its id. Returns {generation, checkpoint, document or ''}. */
export const readForApplyScript = `${generationBase}
local document = ''
if ARGV[3] ~= '' then document = redis.call('GET', base .. ARGV[3] .. ':' .. ARGV[4]) or '' end
return {generation, redis.call('GET', base .. 'checkpoint') or '0', document}
`;

/**
 * ARGV[3]: generation read before; ARGV[4]: previous position; ARGV[5]: this event's position;
 * ARGV[6]/[7]: document key and JSON ('' for none); ARGV[8..11]: new member officeId, member key,
 * username, user id ('' for none).
 */
export const applyScript = `${generationBase}
local checkpoint = tonumber(redis.call('GET', base .. 'checkpoint') or '0')
local position = tonumber(ARGV[5])
if position <= checkpoint then return 'skipped' end
if generation ~= ARGV[3] or checkpoint ~= tonumber(ARGV[4]) then return 'behind' end
if ARGV[6] ~= '' then redis.call('SET', base .. ARGV[6], ARGV[7]) end
if ARGV[8] ~= '' then
  redis.call('ZADD', base .. 'members:' .. ARGV[8], 0, ARGV[9])
  redis.call('SET', base .. 'username:' .. ARGV[10], ARGV[11])
end
redis.call('SET', base .. 'checkpoint', ARGV[5])
return 'applied'
`;

/** ARGV[3]: office id; ARGV[4]: ZRANGEBYLEX start; ARGV[5]: count. Returns member keys then user JSONs. */
export const membersPageScript = `${generationBase}
local keys = redis.call('ZRANGEBYLEX', base .. 'members:' .. ARGV[3], ARGV[4], '+', 'LIMIT', 0, tonumber(ARGV[5]))
local result = {}
for i, key in ipairs(keys) do
  result[i] = key
  local userId = string.sub(key, string.find(key, '\\0', 1, true) + 1)
  result[#keys + i] = redis.call('GET', base .. 'user:' .. userId) or ''
end
return result
`;
