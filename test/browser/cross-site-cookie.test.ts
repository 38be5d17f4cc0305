import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserHarness, chromiumMissing } from './browser-harness.ts';

const password = 'browser cookie password 1';

const noChromium = chromiumMissing('browser cookie tests');

/**
 * The session cookie and the cross-site check in a real browser. Two ports of 127.0.0.1 are two origins
 * of one site, so SameSite=Strict does not stop a form of the other port from sending the cookie: the
 * Origin check is what refuses it.
 */
describe.skipIf(noChromium)('the Secure session cookie in Chromium', { timeout: 60_000 }, () => {
  const harness = browserHarness({ name: 'cookie', password, config: { COOKIE_SECURE: 'always' } });
  let otherSite: Server;
  let otherOrigin: string;
  let page: Page;

  /** What a fetch from a page of the service itself answers. */
  const fromOwnPage = (path: string, init: { method?: string; body?: unknown } = {}) =>
    page.evaluate(
      async ({ path, init }) => {
        const response = await fetch(path, {
          method: init.method ?? 'GET',
          credentials: 'same-origin',
          ...(init.body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
        });
        return response.status;
      },
      { path, init },
    );

  beforeAll(async () => {
    const officeId = await harness.office('Cookie office');
    await harness.user(officeId, 'cookie');
    // Another origin of the same site: a page whose form posts to the service's logout.
    otherSite = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(
        `<form method="post" action="${harness.url}/v1/logout" enctype="text/plain"><input name="a" value="b"></form><script>document.forms[0].submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
    const address = otherSite.address();
    otherOrigin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    page = await (await harness.browser.newContext()).newPage();
    await page.goto(`${harness.url}/healthz`);
  }, 60_000);

  afterAll(() => {
    otherSite?.close();
  });

  it('keeps __Host-sf_session (Secure, HttpOnly) on http://127.0.0.1 and sends it with the pages’ fetches', async () => {
    expect(await fromOwnPage('/v1/login', { method: 'POST', body: { username: 'cookie', password } })).toBe(
      200,
    );
    const cookies = await page.context().cookies(harness.url);
    expect(
      cookies.map(({ name, secure, httpOnly, sameSite, path }) => ({
        name,
        secure,
        httpOnly,
        sameSite,
        path,
      })),
    ).toEqual([
      { name: '__Host-sf_session', secure: true, httpOnly: true, sameSite: 'Strict', path: '/' },
      // The pages' signed-in marker (no secret), Secure like the session it stands for.
      { name: 'sf_signed_in', secure: true, httpOnly: false, sameSite: 'Strict', path: '/' },
    ]);
    expect(await fromOwnPage('/v1/me')).toBe(200);
  });

  it('refuses the logout a form of another origin posts with the cookie (403), and the session lives on', async () => {
    const refused = page.waitForResponse((response) => response.url() === `${harness.url}/v1/logout`);
    await page.goto(otherOrigin);
    const answer = await refused;
    expect(answer.status()).toBe(403);
    expect(answer.headers()['content-type']).toMatch(/^application\/problem\+json/);
    expect(await answer.json()).toMatchObject({ code: 'cross-site-request' });
    expect(answer.request().headers().cookie ?? (await answer.request().allHeaders()).cookie).toMatch(
      /__Host-sf_session=/,
    );
    await page.goto(`${harness.url}/healthz`);
    expect(await fromOwnPage('/v1/me')).toBe(200);
    expect(await fromOwnPage('/v1/logout', { method: 'POST' })).toBe(204);
    expect(await fromOwnPage('/v1/me')).toBe(401);
  });
});
