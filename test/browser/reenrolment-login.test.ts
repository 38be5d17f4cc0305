import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'otplib';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/application/ports/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';
import { type Lang, languages, wordingOf } from './wording.ts';

/** A login whose enrolment a re-enrolment campaign's deadline made overdue, clicked through in Chromium. */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`re-enrolment login browser tests skipped: ${chromiumPath} is missing`);

const root = fileURLToPath(new URL('../../', import.meta.url));
const apiKey = 'browser-reenrolment-login-key-0123456789';
const password = 'correct horse battery staple';
const day = 24 * 60 * 60 * 1000;

/** The system clock until the tests stand at the campaign's deadline. */
class SettableClock implements Clock {
  fixed: number | null = null;
  now(): Date {
    return new Date(this.fixed ?? Date.now());
  }
}

describe.skipIf(!hasChromium)('an overdue login in Chromium', { timeout: 60_000 }, () => {
  const clock = new SettableClock();
  let service: RunningService;
  let dataDir: string;
  let browser: Browser;
  let officeId: string;
  let deadline: string;
  const secrets: Record<Lang, string> = { nl: '', en: '' };
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
  const user = (username: string, role = 'member') =>
    call('/v1/platform/users', { officeId, username, password, role }, { 'x-api-key': apiKey });
  const sessionOf = async (username: string) =>
    `Bearer ${(await call('/v1/login', { username, password })).session}`;
  const codeOf = (secret: string, steps = 0) =>
    generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) + steps * 30 });
  const enrolled = async (username: string) => {
    await user(username);
    const authorization = await sessionOf(username);
    const started = await call('/v1/me/two-factor/enrollment', { password }, { authorization });
    const secret = started.secret ?? '';
    const confirm = { enrollmentId: started.enrollmentId, code: codeOf(secret, -1) };
    await call('/v1/me/two-factor/enrollment/confirm', confirm, { authorization });
    return secret;
  };

  beforeAll(async () => {
    if (!existsSync(join(root, 'web/dist/index.html')))
      execFileSync(process.execPath, [join(root, 'web/build.ts')], { stdio: 'inherit' });
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-browser-reenrolment-'));
    service = await startService(
      loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PLATFORM_API_KEY: apiKey }),
      undefined,
      { clock },
    );
    officeId =
      (await call('/v1/platform/offices', { name: 'Kantoor Aalst' }, { 'x-api-key': apiKey })).officeId ?? '';
    await user('beheer', 'office-admin');
    secrets.nl = await enrolled('greet');
    secrets.en = await enrolled('gwen');
    // The enrolments must be older than the campaign's start.
    await new Promise((resolve) => setTimeout(resolve, 5));
    deadline = new Date(Date.now() + day).toISOString();
    await call(
      `/v1/offices/${officeId}/reenrollment`,
      { deadline, reason: 'phishing' },
      { authorization: await sessionOf('beheer') },
    );
    clock.fixed = Date.parse(deadline);
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

  it.each(languages)('(%s) asks the old code first, then shows the enrolment screen', async (lang) => {
    const say = wordingOf(lang);
    const context = await browser.newContext({ locale: 'nl-BE', timezoneId: 'Europe/Brussels' });
    // The page compares the deadline with its own clock, so it stands where the service does.
    await context.clock.setFixedTime(new Date(deadline));
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${service.url}/`);
    await page.locator('#page-title').waitFor();
    if (lang === 'en') await page.locator('#language-switch').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
    await page.getByLabel(say('login.username')).fill(lang === 'nl' ? 'greet' : 'gwen');
    await page.getByLabel(say('login.password'), { exact: true }).fill(password);
    await page.getByRole('button', { name: say('login.submit') }).click();

    const reminder = page.locator('#reenrol-reminder');
    await reminder.waitFor();
    expect(await reminder.textContent()).toContain(say('login.reenrolNow').split('{date}')[1]?.trim());
    expect(await page.locator('#page-title').textContent()).toBe(say('login.codeTitle'));

    await page.getByLabel(say('login.codeLabel'), { exact: true }).fill(codeOf(secrets[lang]));
    await page.getByRole('button', { name: say('login.verify') }).click();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe(say('enrol.requiredTitle'));
    expect(await page.locator('#enrol-why').textContent()).toContain(say('enrol.requiredWhy'));
    await context.close();
  });
});
