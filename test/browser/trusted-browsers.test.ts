import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'otplib';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';

/** Trusting a browser at login, logging in without a code, and the list on the account page, NL and EN. */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`trusted-browser browser tests skipped: ${chromiumPath} is missing`);

const root = fileURLToPath(new URL('../../', import.meta.url));
const screenshots = join(root, 'test-output/screenshots');
const apiKey = 'browser-trust-platform-key-0123456789abcdef';
const password = 'correct horse battery staple';

type Labels = {
  user: string;
  password: string;
  submit: string;
  code: string;
  verify: string;
  trust: string;
  account: string;
  codeTitle: string;
  listTitle: string;
  current: string;
  revoke: string;
  none: string;
  logout: string;
};
const nl: Labels = {
  user: 'Gebruikersnaam',
  password: 'Wachtwoord',
  submit: 'Inloggen',
  code: 'Twee-factor authenticatie token',
  verify: 'Bevestigen',
  trust: 'Vertrouw deze browser 30 dagen',
  account: 'Accountbeveiliging',
  codeTitle: 'Twee-factor authenticatie token',
  listTitle: 'Vertrouwde browsers',
  current: '(deze browser)',
  revoke: 'Intrekken',
  none: 'Je vertrouwt geen enkele browser.',
  logout: 'Uitloggen',
};
const en: Labels = {
  user: 'Username',
  password: 'Password',
  submit: 'Log in',
  code: 'Two-factor authentication token',
  verify: 'Verify',
  trust: 'Trust this browser for 30 days',
  account: 'Account security',
  codeTitle: 'Two-factor authentication token',
  listTitle: 'Trusted browsers',
  current: '(this browser)',
  revoke: 'Revoke',
  none: 'You trust no browser.',
  logout: 'Log out',
};

describe.skipIf(!hasChromium)('trusted browsers in Chromium', { timeout: 90_000 }, () => {
  let service: RunningService;
  let dataDir: string;
  let browser: Browser;
  let officeId: string;
  const problems: string[] = [];

  const call = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    expect(response.status, `${path} ${response.status}`).toBeLessThan(300);
    return (await response.json()) as Record<string, string>;
  };
  const user = async (username: string, role = 'member') =>
    call('POST', '/v1/platform/users', { officeId, username, password, role }, { 'x-api-key': apiKey });
  /** A user with an authenticator set up through the API (the previous step's code confirms it). */
  const enrolled = async (username: string) => {
    await user(username);
    const { session } = await call('POST', '/v1/login', { username, password });
    const auth = { authorization: `Bearer ${session}` };
    const { enrollmentId, secret } = await call('POST', '/v1/me/two-factor/enrollment', { password }, auth);
    const code = generateSync({ secret: secret ?? '', epoch: Math.floor(Date.now() / 1000) - 30 });
    await call('POST', '/v1/me/two-factor/enrollment/confirm', { enrollmentId, code }, auth);
    return secret ?? '';
  };

  beforeAll(async () => {
    if (!existsSync(join(root, 'web/dist/index.html')))
      execFileSync(process.execPath, [join(root, 'web/build.ts')], { stdio: 'inherit' });
    mkdirSync(screenshots, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-browser-trust-'));
    service = await startService(
      loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PLATFORM_API_KEY: apiKey }),
    );
    officeId =
      (await call('POST', '/v1/platform/offices', { name: 'Kantoor Leuven' }, { 'x-api-key': apiKey }))
        .officeId ?? '';
    await user('leuven-admin', 'office-admin');
    const { session } = await call('POST', '/v1/login', { username: 'leuven-admin', password });
    await call(
      'PUT',
      `/v1/offices/${officeId}/two-factor-policy`,
      { required: false, trustBrowserDays: 30 },
      { authorization: `Bearer ${session}` },
    );
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    service?.app.server.closeAllConnections();
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    expect(problems).toEqual([]);
  });

  const openIn = async (context: BrowserContext, path: string): Promise<Page> => {
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${service.url}${path}`);
    await page.locator('#page-title').waitFor();
    return page;
  };
  const title = (page: Page) => page.locator('#page-title').textContent();
  const logIn = async (page: Page, username: string, labels: Labels) => {
    await page.getByLabel(labels.user).fill(username);
    await page.getByLabel(labels.password, { exact: true }).fill(password);
    await page.getByRole('button', { name: labels.submit }).click();
  };

  for (const [lang, labels] of [
    ['nl', nl],
    ['en', en],
  ] as const) {
    it(`trusts the browser with the code, then logs in without one, lists it and revokes it (${lang})`, async () => {
      const username = `trusting-${lang}`;
      const secret = await enrolled(username);
      const context = await browser.newContext({ locale: 'nl-BE', timezoneId: 'Europe/Brussels' });
      const page = await openIn(context, '/');
      if (lang === 'en') {
        await page.locator('#language-switch').click();
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
      }

      await logIn(page, username, labels);
      await expect.poll(() => title(page)).toBe(labels.codeTitle);
      const trust = page.getByLabel(labels.trust);
      expect(await trust.isChecked()).toBe(false);
      await trust.check();
      await page.getByLabel(labels.code, { exact: true }).fill(generateSync({ secret }));
      await page.getByRole('button', { name: labels.verify }).click();
      await expect.poll(() => title(page), { timeout: 10_000 }).toBe(labels.account);
      const cookie = (await context.cookies()).find((c) => c.name === 'sf_trusted_browser');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

      // The password alone now opens the account page: no code step.
      await page.locator('#logout').click();
      await page.getByLabel(labels.user).waitFor();
      await logIn(page, username, labels);
      await expect.poll(() => title(page), { timeout: 10_000 }).toBe(labels.account);

      const list = page.locator('#trusted-browsers');
      await expect.poll(() => list.textContent()).toContain(labels.current);
      expect(await page.getByRole('heading', { name: labels.listTitle }).count()).toBe(1);
      expect(await list.textContent()).toContain('Chrome on Linux');
      await page
        .getByRole('heading', { name: labels.listTitle })
        .locator('xpath=..')
        .screenshot({ path: join(screenshots, `trusted-browsers.${lang}.png`) });

      await list.getByRole('button', { name: labels.revoke }).click();
      await expect.poll(() => list.textContent()).toBe(labels.none);
      expect((await context.cookies()).some((c) => c.name === 'sf_trusted_browser')).toBe(false);

      // Revoked: the next login asks for the code again.
      await page.locator('#logout').click();
      await page.getByLabel(labels.user).waitFor();
      await logIn(page, username, labels);
      await expect.poll(() => title(page)).toBe(labels.codeTitle);
      await context.close();
    });
  }
});
