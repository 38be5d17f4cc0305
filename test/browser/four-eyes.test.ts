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

/** Four-eyes on the support page, in Chromium: one agent asks (Dutch), a second approves (English). */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`four-eyes browser tests skipped: ${chromiumPath} is missing`);

const root = fileURLToPath(new URL('../../', import.meta.url));
const apiKey = 'browser-four-eyes-platform-key-0123456789abcdef';
const password = 'correct horse battery staple';

describe.skipIf(!hasChromium)('four-eyes on the support page in Chromium', { timeout: 60_000 }, () => {
  let service: RunningService;
  let dataDir: string;
  let browser: Browser;
  let officeId: string;
  let annId: string;
  let bobId: string;
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
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-browser-four-eyes-'));
    service = await startService(
      loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        PLATFORM_API_KEY: apiKey,
        SUPPORT_APPROVAL: 'required',
      }),
    );
    officeId =
      (await call('/v1/platform/offices', { name: 'Kantoor Gent' }, { 'x-api-key': apiKey })).officeId ?? '';
    annId = await user('helpdesk-ann', 'support');
    bobId = await user('helpdesk-bob', 'support');
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

  const supportPage = async (username: string, english: boolean): Promise<Page> => {
    const context = await browser.newContext({ locale: 'nl-BE', timezoneId: 'Europe/Brussels' });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${service.url}/`);
    await page.locator('#page-title').waitFor();
    if (english) {
      await page.locator('#language-switch').click();
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    }
    const labels = english
      ? { user: 'Username', password: 'Password', submit: 'Log in', home: 'Account security' }
      : { user: 'Gebruikersnaam', password: 'Wachtwoord', submit: 'Inloggen', home: 'Accountbeveiliging' };
    await page.getByLabel(labels.user).fill(username);
    await page.getByLabel(labels.password, { exact: true }).fill(password);
    await page.getByRole('button', { name: labels.submit }).click();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe(labels.home);
    await page.goto(`${service.url}/support`);
    await page.locator('#page-title').waitFor();
    return page;
  };
  const find = async (page: Page, username: string, labels = { user: 'Gebruikersnaam', find: 'Zoeken' }) => {
    await page.locator('form[role="search"]').getByLabel(labels.user).fill(username);
    await page.getByRole('button', { name: labels.find }).click();
    await page.locator('#user-title').waitFor();
  };
  const requestOf = (page: Page) => page.locator('#support-request-list form.request');

  it('one agent asks for a reset (NL); a second agent approves it (EN), and only then it happens', async () => {
    const frankId = await enrolled('frank');
    const ann = await supportPage('helpdesk-ann', false);
    await find(ann, 'frank');
    const reset = ann.locator('#reset-form');
    await reset.getByLabel('Reden').fill('Smartphone verloren, identiteit gecontroleerd');
    await reset.getByLabel('Ticketnummer').fill('SUP-200');
    await reset.getByRole('button', { name: 'Twee-factor-authenticatie resetten' }).click();
    await expect
      .poll(() => ann.locator('#support-result').textContent())
      .toContain('Een andere support-medewerker moet het goedkeuren');
    // Nothing happened yet; her own request offers a withdrawal, not an approval.
    expect(await ann.locator('#support-result dl').textContent()).toContain('Ingesteld sinds');
    await expect.poll(() => requestOf(ann).count()).toBe(1);
    expect(await requestOf(ann).textContent()).toContain('Jij (een collega moet goedkeuren)');
    expect(await requestOf(ann).getByRole('button', { name: 'Goedkeuren' }).count()).toBe(0);
    expect(await requestOf(ann).getByRole('button', { name: 'Intrekken' }).count()).toBe(1);

    const bob = await supportPage('helpdesk-bob', true);
    await expect.poll(() => requestOf(bob).count()).toBe(1);
    const request = requestOf(bob);
    expect(await request.locator('h3').textContent()).toBe('Reset two-factor authentication');
    const facts = (await request.locator('dl').textContent()) ?? '';
    for (const fact of ['frank', 'SUP-200', 'helpdesk-ann']) expect(facts).toContain(fact);
    await request.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => bob.locator('#support-request-outcome').textContent())
      .toContain("Approved: frank's two-factor authentication was reset.");
    await expect
      .poll(() => bob.locator('#support-request-list').textContent())
      .toContain('No requests are waiting.');
    await find(bob, 'frank', { user: 'Username', find: 'Find' });
    expect(await bob.locator('#support-result dl').textContent()).toContain('Not set up');

    // The audit history names both: the agent who asked (actor) and the one who approved.
    await bob.goto(`${service.url}/audit`);
    await bob.locator('#page-title').waitFor();
    await bob.getByLabel('User ID').first().fill(frankId);
    await bob.getByRole('button', { name: 'Search' }).click();
    const row = bob.locator('tr[data-type="SupportReset"]');
    await row.waitFor();
    const actorCell = (await row.locator('td').nth(3).textContent()) ?? '';
    expect(actorCell).toContain(annId);
    expect(actorCell).toContain(`approved by ${bobId}`);
    expect(await row.textContent()).toContain('SUP-200');
  });

  it('the help page explains the second pair of eyes (NL and EN)', async () => {
    const context = await browser.newContext({ locale: 'nl-BE' });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${service.url}/help`);
    await page.locator('#page-title').waitFor();
    await expect.poll(() => page.locator('main').textContent()).toContain('Twee paar ogen bij support');
    await page.locator('#language-switch').click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Two pairs of eyes at support');
    expect(await page.locator('main').textContent()).toContain('a second agent approves');
  });

  it('approving a temporary access shows the code to the approver once (NL)', async () => {
    await enrolled('greta');
    const bob = await supportPage('helpdesk-bob', false);
    await find(bob, 'greta');
    const form = bob.locator('#temporary-form');
    await form.getByLabel('Reden').fill('Smartphone verloren');
    await form.getByLabel('Ticketnummer').fill('SUP-201');
    await form.getByRole('button', { name: 'Tijdelijke code aanmaken' }).click();
    await expect.poll(() => bob.locator('#support-result').textContent()).toContain('Verzoek verstuurd');
    expect(await bob.locator('#temporary-code').count()).toBe(0);

    const ann = await supportPage('helpdesk-ann', false);
    await expect.poll(() => requestOf(ann).count()).toBe(1);
    await requestOf(ann).getByRole('button', { name: 'Goedkeuren' }).click();
    await ann.locator('#temporary-code').waitFor();
    expect(await ann.locator('#temporary-code').textContent()).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    expect(await ann.locator('#temporary-code-shown').textContent()).toContain('Goedgekeurd');
  });
});
