import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { type RunningService, startService } from '../../../src/main.ts';

/**
 * S15: property-based fuzzing of every route in the OpenAPI document. Each request mixes valid-shaped
 * and malformed parts (ids, query, headers, bodies); whatever comes in, the service must answer below
 * 500, and every 4xx must be an RFC 9457 problem whose `status` matches the HTTP status.
 */

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
};
type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; schema?: JsonSchema };
type Operation = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  parameters: Parameter[];
  body: JsonSchema | undefined;
  /** The route reads a text file (text/csv, text/plain) rather than JSON. */
  textBody: boolean;
  platformKey: boolean;
  /** The statuses its OpenAPI operation declares. */
  documented: number[];
};
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type FuzzRequest = {
  url: string;
  headers: Record<string, string>;
  payload: string | Buffer | undefined;
};

const apiKey = 'fuzz-platform-key-0123456789abcdef0123456789';
const password = 'fuzz password 1';
const roles = ['member', 'office-admin', 'support', 'auditor'] as const;
type Role = (typeof roles)[number];
const pollutionKey = 'fuzzPolluted';
/** Object.prototype before anything ran: the fuzzing must leave it exactly so. */
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
/**
 * A request still waiting by then fails the run with the request as the counterexample, instead of the
 * whole test running into its time limit with nothing to show which request hung. A request that holds
 * the event loop (synchronous work) cannot be interrupted; the route's slowest request, printed after,
 * names it.
 */
const requestTimeLimitMs = 30_000;
/** At least 10,000 requests in all; FUZZ_REQUESTS raises it for a longer hunt. */
const totalRequestsWanted = Math.max(10_000, Number(process.env.FUZZ_REQUESTS ?? 10_000));

/** Filled in by the setup: ids that exist, tokens of each role, usernames that exist. */
const known = {
  officeIds: [] as string[],
  targetUserIds: [] as string[],
  /** Four-eyes requests another support agent asked for: the fuzzed support caller may approve them. */
  requestIds: [] as string[],
  usernames: [] as string[],
  tokens: new Map<Role, string>(),
};

// --- building blocks ----------------------------------------------------------------------------------

const weirdStrings = [
  '',
  ' ',
  '../',
  '../../etc/passwd',
  '..%2f..%2f',
  '%00',
  '\u0000',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  ['$', '{jndi:ldap://x}'].join(''),
  '{{7*7}}',
  'ñandú 🔐 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\u202e\u200b\ufeff',
  '\ud800',
  'a'.repeat(101),
  'a'.repeat(201),
  'a'.repeat(1025),
];
const weirdString = fc.oneof(
  fc.constantFrom(...weirdStrings),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const hugeString = fc
  .tuple(fc.constantFrom('a', 'é', '🔐', '\u0000', '"', '\\'), fc.integer({ min: 1_000, max: 200_000 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)));

const isoInstant = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
/** Strings that look like RFC 3339 instants, valid or not: day 31 in February, hour 24, odd offsets. */
const instantLike = fc.oneof(
  { weight: 8, arbitrary: isoInstant },
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.constantFrom('Z', '+00:00', '-23:59', '+23:59', '+24:00', '', 'z', '+0100'),
      fc.constantFrom('', '.5', '.123456789', '.'),
    )
    .map(
      ([year, month, day, hour, offset, fraction]) =>
        `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00${fraction}${offset}`,
    ),
  fc.constantFrom('+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', 'now', '2024-01-01'),
);

const idLike = () =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.constantFrom(...known.officeIds, ...known.targetUserIds, ...known.requestIds),
    },
    { weight: 2, arbitrary: fc.stringMatching(/^[\w.-]{1,100}$/) },
    { weight: 1, arbitrary: fc.constantFrom('.', '..', '-', '_', 'a'.repeat(100)) },
  );

/** A value that is probably not what the schema wants. */
const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2),
  weirdString,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }) as fc.Arbitrary<Json>,
  fc.dictionary(weirdString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) as fc.Arbitrary<Json>,
);

const stringFor = (schema: JsonSchema, name: string): fc.Arbitrary<string> => {
  if (schema.format === 'date-time') return instantLike;
  if (schema.pattern === '^[\\w.-]+$') return idLike();
  if (schema.pattern !== undefined) return fc.stringMatching(new RegExp(schema.pattern));
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 64, 64));
  const plain = fc.string({ minLength: min, maxLength: max });
  const hints: Record<string, fc.Arbitrary<string>> = {
    password: fc.constantFrom(password, 'wrong password'),
    username: fc.constantFrom(...known.usernames, 'nobody'),
    code: fc.oneof(fc.stringMatching(/^\d{6}$/), fc.constantFrom('', '000000', '12345', '1234567')),
    recoveryCode: fc.stringMatching(/^[a-z0-9]{4,5}-[a-z0-9]{4,5}$/),
    after: fc.oneof(fc.stringMatching(/^\d{1,15}$/), fc.constantFrom(...known.usernames)),
  };
  const hint = hints[name];
  return hint === undefined ? plain : fc.oneof(hint, plain);
};

/** Values that fit the schema's shape (types, required fields, enums, lengths). */
const validFor = (schema: JsonSchema, name = ''): fc.Arbitrary<Json> => {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((inner) => validFor(inner, name)));
  if (schema.enum !== undefined) return fc.constantFrom(...(schema.enum as Json[]));
  if (schema.const !== undefined) return fc.constant(schema.const as Json);
  if (Array.isArray(schema.type))
    return fc.oneof(...schema.type.map((type) => validFor({ ...schema, type }, name)));
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const record = Object.fromEntries(
        Object.entries(properties).map(([key, inner]) => [key, validFor(inner, key)]),
      );
      return fc.record(record, { requiredKeys: schema.required ?? [] }) as fc.Arbitrary<Json>;
    }
    case 'string':
      return stringFor(schema, name);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validFor(schema.items ?? {}), { maxLength: 3 });
    default:
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
  }
};

const withOwnKey = (target: Record<string, Json>, key: string, value: Json): Record<string, Json> => {
  // defineProperty makes `__proto__` an own, enumerable key, so JSON.stringify writes it out.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
};

const pollution: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  { [pollutionKey]: 'polluted' },
  { prototype: { [pollutionKey]: 'polluted' } },
  'polluted',
  [{ [pollutionKey]: 'polluted' }],
);

/** A valid-shaped body, then maybe one malformation on top. */
const mutatedBody = (schema: JsonSchema): fc.Arbitrary<Json> =>
  fc
    .tuple(
      validFor(schema),
      fc.oneof(
        { weight: 7, arbitrary: fc.constant('none') },
        {
          weight: 6,
          arbitrary: fc.constantFrom('wrong-type', 'missing', 'extra', 'huge', 'proto', 'deep-field'),
        },
      ),
      fc.nat(),
      weirdString,
      wrongValue,
      hugeString,
      fc.constantFrom('__proto__', 'constructor', 'prototype'),
      pollution,
    )
    .map(([value, mutation, pick, key, wrong, huge, protoKey, payload]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      const body: Record<string, Json> = { ...value };
      const keys = [...Object.keys(schema.properties ?? {}), ...Object.keys(body)];
      const target = keys.length === 0 ? key : (keys[pick % keys.length] ?? key);
      switch (mutation) {
        case 'wrong-type':
          return withOwnKey(body, target, wrong);
        case 'missing':
          delete body[target];
          return body;
        case 'extra':
          return withOwnKey(body, key, wrong);
        case 'huge':
          return withOwnKey(body, target, huge);
        case 'proto':
          return withOwnKey(body, protoKey, payload);
        case 'deep-field': {
          let nested: Json = 'bottom';
          for (let depth = 0; depth < 1 + (pick % 2000); depth += 1) nested = { [target]: nested };
          return withOwnKey(body, target, nested);
        }
        default:
          return body;
      }
    });

const deepNesting = fc
  .tuple(fc.integer({ min: 10, max: 30_000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
  .map(([depth, open, closed]) => {
    const close = open === '[' ? ']' : '}';
    return `${open.repeat(depth)}${open === '[' ? '' : '1'}${closed ? close.repeat(depth) : ''}`;
  });

/** Raw text sent as the request body (the content type is chosen separately). */
const rawBody = (schema: JsonSchema | undefined): fc.Arbitrary<string | Buffer> =>
  fc.oneof(
    { weight: 6, arbitrary: mutatedBody(schema ?? { type: 'object' }).map((value) => JSON.stringify(value)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(validFor(schema ?? { type: 'object' }), fc.constantFrom('__proto__', 'constructor'))
        .map(([value, key]) => {
          const inner = key === '__proto__' ? `{"${pollutionKey}":1}` : `{"prototype":{"${pollutionKey}":1}}`;
          const rest = JSON.stringify(value);
          return rest.startsWith('{') && rest !== '{}'
            ? `{"${key}":${inner},${rest.slice(1)}`
            : `{"${key}":${inner}}`;
        }),
    },
    { weight: 1, arbitrary: deepNesting },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'null',
        '[]',
        '[{}]',
        '""',
        '0',
        'true',
        '{',
        "{'a':1}",
        '{"a":1,}',
        'NaN',
        'undefined',
        '{"a":1}{"b":2}',
        '\ufeff{}',
        'username=a&password=b',
        '<xml/>',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: hugeString.map((huge) => JSON.stringify({ username: huge, password: huge })) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 64 })
        .map((bytes) => Buffer.concat([Buffer.from('{"a":"'), bytes])),
    },
  );

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json;charset=UTF-16',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/jsonx',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
  ';',
  'application/json; charset=',
  '*/*',
);

/** Header values an HTTP client can actually put on the wire (latin-1, no CR/LF/NUL). */
const headerText = fc
  .string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)),
    maxLength: 80,
  })
  .filter((text) => !text.includes('\u007f'));

const tokenOf = (role: Role) => known.tokens.get(role) ?? '';

const authorizationValues = fc.oneof(
  headerText,
  headerText.map((text) => `Bearer ${text}`),
  fc.constantFrom('Bearer', 'Bearer ', 'bearer', 'Basic dXNlcjpwYXNz', 'Bearer null', 'Bearer ../../'),
  fc.constantFrom(...roles).map((role) => `bEaReR   ${tokenOf(role)}  `),
  fc.integer({ min: 201, max: 8_000 }).map((length) => `Bearer ${'x'.repeat(length)}`),
);

const randomHeaders = fc.record(
  {
    authorization: authorizationValues,
    'x-api-key': fc.oneof(
      headerText,
      fc.constantFrom(`${apiKey} `, apiKey.toUpperCase(), apiKey.slice(1), ''),
    ),
    'if-match': fc.oneof(
      headerText.map((text) => text.slice(0, 12)),
      { weight: 1, arbitrary: headerText },
      fc.constantFrom('*', '"0"', 'W/"1"', '"-1"', '1', '"999999999999999"', '"1e3"', '""', 'x'.repeat(41)),
      fc.nat().map((revision) => `"${revision}"`),
    ),
    cookie: fc.oneof(
      headerText.map((text) => `sf_session=${text}`),
      fc.constantFrom(...roles).map((role) => `sf_session=${tokenOf(role)}`),
      fc.constantFrom('sf_session=', 'sf_session', '=;=;', 'sf_session=%ZZ'),
      // Device tokens of trusted browsers: any text, the right shape, and beside a session.
      headerText.map((text) => `sf_trusted_browser=${text}`),
      fc
        .stringMatching(/^[A-Za-z0-9_-]{43}$/)
        .map((token) => `sf_trusted_browser=${token}; __Host-sf_trusted_browser=${token}`),
      fc
        .constantFrom(...roles)
        .map((role) => `sf_session=${tokenOf(role)}; sf_trusted_browser=${'A'.repeat(43)}`),
    ),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/x-ndjson', ''),
  },
  { requiredKeys: [] },
);

/** The real credentials of one caller: a user role's bearer token or the platform key (likelier where due). */
const realCredentials = (platformKeyRoute: boolean) =>
  fc
    .oneof(fc.constantFrom(...roles), {
      weight: platformKeyRoute ? 4 : 1,
      arbitrary: fc.constant('platform-key' as const),
    })
    .map(
      (caller): Record<string, string> =>
        caller === 'platform-key' ? { 'x-api-key': apiKey } : { authorization: `Bearer ${tokenOf(caller)}` },
    );

const pathValue = (schema: JsonSchema | undefined): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: (schema === undefined ? idLike() : validFor(schema)).map(String) },
    { weight: 2, arbitrary: weirdString },
    { weight: 1, arbitrary: fc.integer({ min: 101, max: 5_000 }).map((length) => 'i'.repeat(length)) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
  );

/** Percent-encodes as UTF-8; a lone surrogate becomes its (invalid) WTF-8 bytes, as a raw client could send. */
const percentEncode = (value: string): string =>
  value.replace(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g, (char) => {
    if (/^[\w.~-]$/.test(char)) return char;
    if (char.length === 1 && /[\ud800-\udfff]/.test(char)) {
      const code = char.charCodeAt(0);
      return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    }
    return encodeURIComponent(char);
  });

/** Path values are percent-encoded, except a few raw shapes a router must also survive. */
const encodePathValue = fc.nat({ max: 9 }).map((choice) => (value: string): string => {
  if (choice === 0) return value.replace(/[^\w.~/-]+/g, percentEncode);
  if (choice === 1) return `${percentEncode(value)}%`;
  if (choice === 2) return `${percentEncode(value)}%E0%A4%A`;
  return percentEncode(value);
});

const toQuery = (entries: ReadonlyArray<readonly [string, string] | undefined>): string => {
  const search = new URLSearchParams();
  for (const entry of entries) if (entry !== undefined) search.append(entry[0], entry[1]);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
};

/** Query strings whose parameters all fit their schemas (each one present or not). */
const cleanQueryFor = (parameters: Parameter[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      ...parameters
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) =>
          fc.option(
            (parameter.schema === undefined ? weirdString : validFor(parameter.schema, parameter.name)).map(
              (value) => [parameter.name, String(value)] as const,
            ),
            { nil: undefined },
          ),
        ),
    )
    .map(toQuery);

/** Query strings with wrong values, repeated or unknown keys, or broken encoding. */
const dirtyQueryFor = (parameters: Parameter[]): fc.Arbitrary<string> => {
  const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
  const pair = (name: string, schema: JsonSchema | undefined) =>
    fc
      .oneof(
        { weight: 4, arbitrary: (schema === undefined ? weirdString : validFor(schema, name)).map(String) },
        { weight: 1, arbitrary: weirdString },
        { weight: 1, arbitrary: fc.integer().map(String) },
      )
      .map((value) => [name, value] as const);
  const entries = fc.tuple(
    fc.tuple(
      ...queryParameters.map((parameter) =>
        fc.option(pair(parameter.name, parameter.schema), { nil: undefined }),
      ),
    ),
    fc.array(
      fc.oneof(
        pair(queryParameters[0]?.name ?? 'x', queryParameters[0]?.schema),
        fc.tuple(fc.constantFrom('__proto__', 'constructor', 'limit', 'a[b]', 'toString'), weirdString),
        fc.tuple(weirdString, weirdString),
      ),
      { maxLength: 2 },
    ),
  );
  return fc.oneof(
    { weight: 9, arbitrary: entries.map(([fixed, extra]) => toQuery([...fixed, ...extra])) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '?',
        '?&&',
        '?%',
        '?a=%ZZ',
        '?limit=1&limit=2',
        '?__proto__[x]=1',
        '?=',
        '??',
      ),
    },
  );
};

const fillPath = (template: string, values: string[], encode: (value: string) => string): string => {
  let index = 0;
  return template.replace(/\{[^}]+\}/g, () => encode(values[index++] ?? ''));
};

/**
 * A request that fits the schema everywhere (path, query, JSON body), so that it reaches the use
 * cases, usually with real credentials.
 */
const cleanRequestFor = (operation: Operation): fc.Arbitrary<FuzzRequest> =>
  fc
    .record({
      pathValues: fc.tuple(
        ...operation.parameters
          .filter((parameter) => parameter.in === 'path')
          .map((parameter) => validFor(parameter.schema ?? {}).map(String)),
      ),
      query: cleanQueryFor(operation.parameters),
      credentials: fc.option(realCredentials(operation.platformKey), { nil: undefined, freq: 5 }),
      ifMatch: fc.option(
        fc.nat({ max: 20 }).map((revision) => `"${revision}"`),
        { nil: undefined },
      ),
      body: operation.body === undefined ? fc.constant(undefined) : validFor(operation.body),
      file: operation.textBody ? enrolmentFile() : fc.constant(undefined),
    })
    .map(({ pathValues, query, credentials, ifMatch, body, file }) => {
      const headers: Record<string, string> = { ...credentials };
      if (ifMatch !== undefined) headers['if-match'] = ifMatch;
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (file !== undefined) headers['content-type'] = 'text/csv';
      return {
        url: `${fillPath(operation.path, pathValues, percentEncode)}${query}`,
        headers,
        payload: file ?? (body === undefined ? undefined : JSON.stringify(body)),
      };
    });

/** A file of enrolments as the platform might send one: real and unknown users, good and broken rows. */
const enrolmentFile = (): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc
          .record({
            username: fc.oneof(fc.constantFrom(...known.usernames, 'nobody'), fc.string({ maxLength: 20 })),
            secret: fc.oneof(
              fc.stringMatching(/^[A-Z2-7]{16,40}$/),
              fc.string({ maxLength: 50 }),
              fc.constantFrom('', '====', 'a'.repeat(5000)),
            ),
            rest: fc.array(
              fc.constantFrom('6', '8', '7', '30', '60', '0', 'SHA1', 'sha256', 'MD5', '', '"'),
              {
                maxLength: 5,
              },
            ),
          })
          .map(({ username, secret, rest }) => [username, secret, ...rest].join(',')),
        fc
          .tuple(
            fc.constantFrom('totp', 'hotp', ''),
            fc.stringMatching(/^[A-Z2-7]{0,40}$/),
            fc.string({ maxLength: 30 }),
          )
          .map(
            ([kind, secret, label]) =>
              `otpauth://${kind}/${encodeURIComponent(label)}?secret=${secret}&digits=8`,
          ),
        fc.string({ maxLength: 80 }),
      ),
      { maxLength: 12 },
    )
    .chain((lines) =>
      fc
        .tuple(fc.boolean(), fc.constantFrom('\n', '\r\n', '\r'))
        .map(([bom, end]) => `${bom ? '\uFEFF' : ''}${lines.join(end)}`),
    );

/** A request with something off somewhere: path, query, headers, content type or body. */
const dirtyRequestFor = (operation: Operation): fc.Arbitrary<FuzzRequest> => {
  const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path');
  const sendsBody = operation.body !== undefined || operation.method !== 'GET';
  return fc
    .record({
      pathValues: fc.tuple(...pathParameters.map((parameter) => pathValue(parameter.schema))),
      encode: encodePathValue,
      query: fc.oneof(cleanQueryFor(operation.parameters), dirtyQueryFor(operation.parameters)),
      credentials: fc.option(realCredentials(operation.platformKey), { nil: undefined, freq: 2 }),
      headers: randomHeaders,
      bodyPresent: fc.boolean().map((present) => present || operation.body !== undefined),
      body: rawBody(operation.body),
      contentType: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: contentTypes },
      ),
    })
    .map(({ pathValues, encode, query, credentials, headers, bodyPresent, body, contentType }) => {
      const allHeaders: Record<string, string> = { ...headers, ...credentials };
      const payload = sendsBody && bodyPresent ? body : undefined;
      if (payload !== undefined) allHeaders['content-type'] = contentType ?? 'application/json';
      else if (contentType !== undefined && contentType !== '') allHeaders['content-type'] = contentType;
      return { url: `${fillPath(operation.path, pathValues, encode)}${query}`, headers: allHeaders, payload };
    });
};

/** Half the time real credentials of a random caller (as the brief says); a third of requests are clean. */
const requestFor = (operation: Operation): fc.Arbitrary<FuzzRequest> =>
  fc.oneof(
    { weight: 1, arbitrary: cleanRequestFor(operation) },
    { weight: 2, arbitrary: dirtyRequestFor(operation) },
  );

// --- the test -----------------------------------------------------------------------------------------

describe('S15 fuzzing every route from the OpenAPI document', () => {
  let service: RunningService;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-fuzz-'));
    service = await startService(
      loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        PLATFORM_API_KEY: apiKey,
        LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
        // Four-eyes on: support's actions answer 202 and the request routes have requests to act on.
        SUPPORT_APPROVAL: 'required',
      }),
    );
    const post = async (url: string, payload: object, headers: Record<string, string>) => {
      const response = await service.app.inject({ method: 'POST', url, payload, headers });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json() as Record<string, string>;
    };
    const platform = { 'x-api-key': apiKey };
    const ownOffice = (await post('/v1/platform/offices', { name: 'Fuzz office' }, platform)).officeId!;
    const otherOffice = (await post('/v1/platform/offices', { name: 'Other fuzz office' }, platform))
      .officeId!;
    known.officeIds.push(ownOffice, otherOffice);
    const register = async (username: string, role: Role, officeId: string) => {
      known.usernames.push(username);
      return (await post('/v1/platform/users', { officeId, username, password, role }, platform)).userId!;
    };
    for (const role of roles) {
      await register(
        `fuzz-${role}`,
        role,
        role === 'office-admin' || role === 'member' ? ownOffice : otherOffice,
      );
      const login = await post('/v1/login', { username: `fuzz-${role}`, password }, {});
      known.tokens.set(role, login.session!);
    }
    // Routes that change a user (role, reset) only ever get these ids, so the callers keep their sessions.
    known.targetUserIds.push(await register('fuzz-target-1', 'member', ownOffice));
    known.targetUserIds.push(await register('fuzz-target-2', 'office-admin', otherOffice));
    await register('fuzz-support-2', 'support', otherOffice);
    const secondAgent = {
      authorization: `Bearer ${(await post('/v1/login', { username: 'fuzz-support-2', password }, {})).session}`,
    };
    for (const [userId, action] of [
      [known.targetUserIds[0], 'two-factor-reset'],
      [known.targetUserIds[1], 'temporary-access'],
    ] as const) {
      const body = { reason: 'fuzz', ticket: 'FUZZ-1' };
      known.requestIds.push(
        (await post(`/v1/support/users/${userId}/${action}`, body, secondAgent)).requestId!,
      );
    }
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('S15 URLs the router cannot read (bad percent-encoding, over-long ids) get a problem too', async () => {
    for (const [url, status] of [
      ['/v1/offices/%E0%A4%A/members', 400],
      ['/v1/audit/users/%/two-factor', 400],
      [`/v1/platform/users/${'i'.repeat(300)}/login-requirements`, 414],
    ] as const) {
      const response = await service.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status, code: 'invalid-request' });
    }
  });

  it('S15 every route answers < 500, and every error is a problem+json with matching status', async () => {
    const started = performance.now();
    const document = (await service.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Parameter[];
            requestBody?: unknown;
            security?: object[];
            responses?: Record<string, unknown>;
          }
        >
      >;
    };
    const operations: Operation[] = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        const body = operation.requestBody as
          | { content?: Record<string, { schema?: JsonSchema }> }
          | undefined;
        return {
          method: method.toUpperCase() as Operation['method'],
          path,
          parameters: operation.parameters ?? [],
          body: body?.content?.['application/json']?.schema,
          textBody: body?.content?.['text/csv'] !== undefined,
          platformKey: (operation.security ?? []).some((scheme) => 'platformKey' in scheme),
          documented: Object.keys(operation.responses ?? {}).map(Number),
        };
      }),
    );
    // Logging out ends the session it carries: run it last so the other routes keep real callers.
    operations.sort((a, b) => Number(a.path === '/v1/logout') - Number(b.path === '/v1/logout'));
    expect(operations.length).toBeGreaterThan(15);
    const numRuns = Math.ceil(totalRequestsWanted / operations.length);
    const seed = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };

    let requests = 0;
    const failures: string[] = [];
    const statuses = new Map<string, Map<number, number>>();
    const durations = new Map<string, number>();
    /** Per route, its slowest request: how long it took, and what it was. */
    const slowest = new Map<string, { ms: number; what: string }>();
    for (const operation of operations) {
      const route = `${operation.method} ${operation.path}`;
      const seen = new Map<number, number>();
      statuses.set(route, seen);
      const property = fc.asyncProperty(requestFor(operation), async (request) => {
        requests += 1;
        const sent = performance.now();
        const response = await service.app.inject({
          method: operation.method,
          url: request.url,
          headers: request.headers,
          ...(request.payload === undefined ? {} : { payload: request.payload }),
        });
        const status = response.statusCode;
        const ms = performance.now() - sent;
        if (ms > (slowest.get(route)?.ms ?? -1)) {
          const size = request.payload === undefined ? 'no body' : `${request.payload.length}-char body`;
          slowest.set(route, { ms, what: `${status} for ${request.url.slice(0, 120)}, ${size}` });
        }
        seen.set(status, (seen.get(status) ?? 0) + 1);
        const context = `${status} ${response.body.slice(0, 300)}`;
        if (status >= 500) throw new Error(`server error: ${context}`);
        if (status < 400) return;
        const contentType = String(response.headers['content-type'] ?? '');
        if (!contentType.startsWith('application/problem+json'))
          throw new Error(`not a problem (content-type ${contentType}): ${context}`);
        const problem = JSON.parse(response.body) as { status?: unknown; code?: unknown };
        if (problem.status !== status) throw new Error(`problem status ≠ HTTP status: ${context}`);
        if (typeof problem.code !== 'string') throw new Error(`problem without a code: ${context}`);
      });
      const routeStarted = performance.now();
      try {
        await fc.assert(property, {
          numRuns,
          endOnFailure: true,
          plugins: [fc.timeout(requestTimeLimitMs)],
          ...seed,
        });
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
        const message = error instanceof Error ? error.message.slice(0, 1_500) : String(error);
        failures.push(`${route}: ${cause}\n${message}`);
      }
      durations.set(route, performance.now() - routeStarted);
    }

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const summary = [...statuses]
      .map(([route, seen]) => {
        const codes = [...seen]
          .sort(([a], [b]) => a - b)
          .map(([code, n]) => `${code}×${n}`)
          .join(' ');
        const slow = slowest.get(route);
        const slowestText = slow === undefined ? '' : `; slowest ${slow.ms.toFixed(0)} ms: ${slow.what}`;
        return `  ${route} (${((durations.get(route) ?? 0) / 1000).toFixed(1)} s): ${codes}${slowestText}`;
      })
      .join('\n');
    console.log(
      `S15 fuzz: ${requests} requests over ${operations.length} routes in ${seconds} s\n${summary}`,
    );

    expect(failures, failures.join('\n\n')).toEqual([]);
    // The document lists every status a route really gave, so generated clients know them all.
    const undocumented = operations.flatMap((operation) => {
      const route = `${operation.method} ${operation.path}`;
      return [...(statuses.get(route)?.keys() ?? [])]
        .filter((status) => !operation.documented.includes(status))
        .map((status) => `${route} answered ${status}`);
    });
    expect(undocumented).toEqual([]);
    expect(requests).toBeGreaterThanOrEqual(totalRequestsWanted);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>)[pollutionKey]).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, pollutionKey)).toBe(false);
  }, 240_000);
});
