import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'otplib';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';
import { webhookReceiver } from '../support/webhook-receiver.ts';
import { type Lang, languages, patternOf, switchTo, wordingOf } from './wording.ts';

/**
 * Support's temporary access and the user's freeze, clicked through in Chromium, once in Dutch and once in
 * English: every label, title and answer is the page's own wording of that language (web/src/messages.ts).
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`support-flow browser tests skipped: ${chromiumPath} is missing`);

const root = fileURLToPath(new URL('../../', import.meta.url));
const apiKey = 'browser-flows-platform-key-0123456789abcdef';
const password = 'correct horse battery staple';

describe.skipIf(!hasChromium)('support flows in Chromium', { timeout: 60_000 }, () => {
  let service: RunningService;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  let dataDir: string;
  let browser: Browser;
  let officeId: string;
  const problems: string[] = [];
  let contexts: BrowserContext[] = [];

  const call = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    expect(response.status, `${path} ${response.status}`).toBeLessThan(300);
    return (await response.json()) as Record<string, string>;
  };
  const user = async (username: string, role = 'member') =>
    (await call('/v1/platform/users', { officeId, username, password, role }, { 'x-api-key': apiKey }))
      .userId ?? '';
  /** A user who set up an authenticator through the API (the previous step's code confirms it). */
  const enrolled = async (username: string) => {
    const userId = await user(username);
    const { session } = await call('/v1/login', { username, password });
    const auth = { authorization: `Bearer ${session}` };
    const { enrollmentId, secret } = await call('/v1/me/two-factor/enrollment', { password }, auth);
    const code = generateSync({ secret: secret ?? '', epoch: Math.floor(Date.now() / 1000) - 30 });
    await call('/v1/me/two-factor/enrollment/confirm', { enrollmentId, code }, auth);
    return userId;
  };

  beforeAll(async () => {
    if (!existsSync(join(root, 'web/dist/index.html')))
      execFileSync(process.execPath, [join(root, 'web/build.ts')], { stdio: 'inherit' });
    hooks = await webhookReceiver();
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-browser-flows-'));
    service = await startService(
      loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        PLATFORM_API_KEY: apiKey,
        WEBHOOK_URL: hooks.url,
        WEBHOOK_SECRET: 'browser-flows-webhook-secret',
      }),
    );
    officeId =
      (await call('/v1/platform/offices', { name: 'Kantoor Brugge' }, { 'x-api-key': apiKey })).officeId ??
      '';
    await user('helpdesk', 'support');
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
    await hooks?.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect(problems).toEqual([]);
  });

  afterEach(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });

  /** A fresh browser (its own cookies and stored language) on `path`, switched to `lang`. */
  const open = async (path: string, lang: Lang): Promise<Page> => {
    const context = await browser.newContext({ locale: 'nl-BE', timezoneId: 'Europe/Brussels' });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${service.url}${path}`);
    await page.locator('#page-title').waitFor();
    await switchTo(page, lang);
    return page;
  };
  const title = (page: Page) => page.locator('#page-title').textContent();

  describe.each(languages)('in %s', (lang) => {
    const t = wordingOf(lang);
    const pattern = patternOf(lang);
    const logIn = async (page: Page, username: string) => {
      await page.getByLabel(t('login.username')).fill(username);
      await page.getByLabel(t('login.password'), { exact: true }).fill(password);
      await page.getByRole('button', { name: t('login.submit') }).click();
    };
    const supportPage = async () => {
      const desk = await open('/', lang);
      await logIn(desk, 'helpdesk');
      await expect.poll(() => title(desk)).toBe(t('account.title'));
      await desk.goto(`${service.url}/support`);
      await expect.poll(() => title(desk)).toBe(t('support.title'));
      return desk;
    };
    const supportFinds = async (page: Page, username: string) => {
      await page.locator('form[role="search"]').getByLabel(t('support.username')).fill(username);
      await page.getByRole('button', { name: t('support.find') }).click();
      await expect
        .poll(() => page.locator('#user-title').textContent())
        .toBe(t('support.userTitle', { name: username }));
    };

    it('support gives a temporary code; the user logs in with it and is sent to set up a new app', async () => {
      const username = `dave-${lang}`;
      await enrolled(username);
      const desk = await supportPage();
      await supportFinds(desk, username);
      const form = desk.locator('#temporary-form');
      await form.getByLabel(t('support.reason')).fill('Smartphone verloren, identiteit gecontroleerd');
      await form.getByLabel(t('support.ticket')).fill(`SUP-100-${lang}`);
      await form.getByRole('button', { name: t('support.temporaryIssue') }).click();
      const shown = desk.locator('#temporary-code-shown');
      await shown.waitFor();
      expect(await shown.textContent()).toMatch(pattern('support.temporaryIssued', { name: username }));
      expect(await shown.textContent()).toContain(t('support.temporaryOnce'));
      const code = (await desk.locator('#temporary-code').textContent()) ?? '';
      expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
      await expect
        .poll(() => desk.locator('#support-result dl').textContent())
        .toContain(t('support.temporaryUntil'));

      const user = await open('/', lang);
      await logIn(user, username);
      await expect.poll(() => title(user)).toBe(t('login.codeTitle'));
      await user.getByRole('button', { name: t('login.useTemporary') }).click();
      await user.getByLabel(t('login.temporaryLabel')).fill(code);
      await user.getByRole('button', { name: t('login.verify') }).click();
      await expect.poll(() => title(user), { timeout: 10_000 }).toBe(t('enrol.afterTemporaryTitle'));
      expect(await user.locator('main').textContent()).toContain(t('enrol.afterTemporaryWhy'));
      await user.locator('.manual-key').waitFor();
      expect(await user.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
      expect(await user.locator('img.qr').getAttribute('alt')).toBe(t('enrol.qrAlt'));
    });

    it('a user freezes the account from the link in the e-mail; support sees it and lifts it', async () => {
      const username = `erin-${lang}`;
      const userId = await enrolled(username);
      const { freezeToken } = await hooks.nth('two-factor-enrolled', userId);
      const user = await open(`/freeze?token=${encodeURIComponent(freezeToken ?? '')}`, lang);
      await expect.poll(() => title(user)).toBe(t('freeze.title'));
      await user.getByRole('button', { name: t('freeze.submit') }).click();
      await expect.poll(() => user.locator('#frozen-done').textContent()).toContain(t('freeze.done'));
      expect(await user.locator('#freeze-panel').textContent()).toContain(t('freeze.next'));
      await user.goto(`${service.url}/`);
      await expect.poll(() => title(user)).toBe(t('login.title'));
      await logIn(user, username);
      await expect.poll(() => user.getByRole('alert').textContent()).toContain(t('error.account-frozen'));

      const desk = await supportPage();
      await supportFinds(desk, username);
      expect(await desk.locator('#frozen-flag').textContent()).toBe(t('support.frozenYes'));
      const lift = desk.locator('#unfreeze-form');
      await lift.getByLabel(t('support.reason')).fill('Called the user back: a stranger changed it');
      await lift.getByLabel(t('support.ticket')).fill(`SUP-101-${lang}`);
      await lift.getByRole('button', { name: t('support.unfreeze') }).click();
      await expect
        .poll(() => desk.locator('#support-result').textContent())
        .toContain(t('support.unfrozen', { name: username }));
      expect(await desk.locator('#frozen-flag').textContent()).toBe(t('common.no'));
    });
  });
});
