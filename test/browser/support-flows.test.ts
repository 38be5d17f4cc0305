import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'otplib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';
import { webhookReceiver } from '../support/webhook-receiver.ts';

/** Support's temporary access and the user's freeze, clicked through in Chromium, in Dutch and English. */
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

  const open = async (path: string): Promise<Page> => {
    const context = await browser.newContext({ locale: 'nl-BE', timezoneId: 'Europe/Brussels' });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${service.url}${path}`);
    await page.locator('#page-title').waitFor();
    return page;
  };
  const toEnglish = async (page: Page) => {
    await page.locator('#language-switch').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
  };
  const title = (page: Page) => page.locator('#page-title').textContent();
  const logIn = async (
    page: Page,
    username: string,
    labels = { user: 'Gebruikersnaam', password: 'Wachtwoord', submit: 'Inloggen' },
  ) => {
    await page.getByLabel(labels.user).fill(username);
    await page.getByLabel(labels.password, { exact: true }).fill(password);
    await page.getByRole('button', { name: labels.submit }).click();
  };
  const supportFinds = async (
    page: Page,
    username: string,
    labels = { user: 'Gebruikersnaam', find: 'Zoeken' },
  ) => {
    await page.locator('form[role="search"]').getByLabel(labels.user).fill(username);
    await page.getByRole('button', { name: labels.find }).click();
    await page.locator('#user-title').waitFor();
  };

  it('support gives a temporary code; the user logs in with it and is sent to set up a new app (NL)', async () => {
    await enrolled('dave');
    const desk = await open('/');
    await logIn(desk, 'helpdesk');
    await expect.poll(() => title(desk)).toBe('Accountbeveiliging');
    await desk.goto(`${service.url}/support`);
    await supportFinds(desk, 'dave');
    const form = desk.locator('#temporary-form');
    await form.getByLabel('Reden').fill('Smartphone verloren, identiteit gecontroleerd');
    await form.getByLabel('Ticketnummer').fill('SUP-100');
    await form.getByRole('button', { name: 'Tijdelijke code aanmaken' }).click();
    const code = (await desk.locator('#temporary-code').textContent()) ?? '';
    expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    await expect
      .poll(() => desk.locator('#support-result dl').textContent())
      .toContain('Tijdelijke toegang tot');

    const dave = await open('/');
    await logIn(dave, 'dave');
    await expect.poll(() => title(dave)).toBe('Twee-factor authenticatie token');
    await dave.getByRole('button', { name: 'Ik heb een tijdelijke code van support' }).click();
    await dave.getByLabel('Tijdelijke code van support').fill(code);
    await dave.getByRole('button', { name: 'Bevestigen' }).click();
    await expect.poll(() => title(dave), { timeout: 10_000 }).toBe('Stel een nieuwe authenticator-app in');
    await dave.locator('.manual-key').waitFor();
    expect(await dave.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  });

  it('a user freezes the account from the link in the e-mail; support sees it and lifts it (EN)', async () => {
    const userId = await enrolled('erin');
    const { freezeToken } = await hooks.nth('two-factor-enrolled', userId);
    const erin = await open(`/freeze?token=${encodeURIComponent(freezeToken ?? '')}`);
    await toEnglish(erin);
    await expect.poll(() => title(erin)).toBe("This wasn't me");
    await erin.getByRole('button', { name: 'Freeze my account' }).click();
    await expect.poll(() => erin.locator('#frozen-done').textContent()).toContain('Your account is frozen');
    await erin.goto(`${service.url}/`);
    await erin.locator('#page-title').waitFor();
    await logIn(erin, 'erin', { user: 'Username', password: 'Password', submit: 'Log in' });
    await expect.poll(() => erin.getByRole('alert').textContent()).toContain('This account is frozen');

    const desk = await open('/');
    await toEnglish(desk);
    await logIn(desk, 'helpdesk', { user: 'Username', password: 'Password', submit: 'Log in' });
    await expect.poll(() => title(desk)).toBe('Account security');
    await desk.goto(`${service.url}/support`);
    await desk.locator('#page-title').waitFor();
    await supportFinds(desk, 'erin', { user: 'Username', find: 'Find' });
    expect(await desk.locator('#frozen-flag').textContent()).toContain('the user froze the account');
    const lift = desk.locator('#unfreeze-form');
    await lift.getByLabel('Reason').fill('Called the user back: a stranger changed it');
    await lift.getByLabel('Ticket number').fill('SUP-101');
    await lift.getByRole('button', { name: 'Lift the freeze' }).click();
    await expect
      .poll(() => desk.locator('#support-result').textContent())
      .toContain('logging in works again');
    expect(await desk.locator('#frozen-flag').textContent()).toBe('No');
  });
});
