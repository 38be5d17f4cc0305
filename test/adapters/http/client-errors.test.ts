import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientError } from '../../../src/adapters/http/problems.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { type RunningService, startService } from '../../../src/main.ts';

type RawAnswer = { status: number; headers: Record<string, string>; body: string };

/**
 * Sends bytes as they are (no client library to tidy them up) and reads the answer until the server closes
 * the connection; rejects when it stays open.
 */
const sendRaw = (port: number, request: string): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('the server kept the connection open')));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.end(request, 'latin1');
  });

const malformed: { name: string; request: string; status: number; code: string }[] = [
  {
    name: 'a header value with byte 0x7f',
    request: 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Probe: a\x7fb\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'a duplicate Content-Length',
    request:
      'POST /v1/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'a malformed chunked body',
    request:
      'POST /v1/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    status: 400,
    code: 'bad-request',
  },
  {
    name: 'an unknown method (FOO)',
    request: 'FOO /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n',
    status: 405,
    code: 'unknown-method',
  },
  {
    name: 'a 20 KB header',
    request: `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Probe: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    status: 431,
    code: 'header-too-large',
  },
];

describe('requests the HTTP parser refuses, over a raw socket', () => {
  let service: RunningService;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-client-errors-'));
    service = await startService(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    port = Number(new URL(service.url).port);
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const { name, request, status, code } of malformed) {
    it(`answers ${name} with ${status} problem+json (${code}) and closes the connection`, async () => {
      const answer = await sendRaw(port, request);
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.headers.connection).toBe('close');
      expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
      expect(JSON.parse(answer.body)).toEqual({
        type: `urn:second-factor:problem:${code}`,
        title: expect.any(String),
        status,
        detail: expect.any(String),
        code,
      });
    });
  }

  it('answers a method the parser knows but no route serves (PROPFIND) with 404 problem+json', async () => {
    const answer = await sendRaw(
      port,
      'PROPFIND /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 404, code: 'route-not-found' });
  });

  it('answers an HTTP/1.1 request without Host with 400 problem+json (missing-host), not an empty 400', async () => {
    const answer = await sendRaw(port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 400, code: 'missing-host' });
  });

  it('still serves an HTTP/1.0 request without Host (200), which RFC 9112 allows', async () => {
    const answer = await sendRaw(port, 'GET /healthz HTTP/1.0\r\n\r\n');
    expect(answer.status).toBe(200);
  });

  it('still serves a well-formed request on a new connection afterwards (200)', async () => {
    const answer = await sendRaw(
      port,
      'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).toBe(200);
  });
});

describe('a request that did not arrive in time', () => {
  it('is answered 408 problem+json (request-timeout), as Node reports it to the client-error path', async () => {
    const socket = new PassThrough();
    const written: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => written.push(chunk));
    const finished = new Promise((resolve) => socket.on('close', resolve));
    answerClientError(
      pino({ level: 'silent' }),
      Object.assign(new Error('timed out'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
      socket,
    );
    await finished;
    const [head = '', body = ''] = Buffer.concat(written).toString().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(head).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(body)).toMatchObject({ status: 408, code: 'request-timeout' });
  });
});
