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
import { type Lang, languages, patternOf, switchTo, wordingOf } from './wording.ts';

/**
 * Four-eyes on the support page, in Chromium: one agent asks, a second approves, once in Dutch and once in
 * English, each asserted in the page's own wording of that language (web/src/messages.ts).
 */
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

  afterEach(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });

  /** The pending requests about `username` (one test's requests, whatever another test left behind). */
  const requestOf = (page: Page, username: string) =>
    page.locator('#support-request-list form.request').filter({ hasText: username });

  describe.each(languages)('in %s', (lang: Lang) => {
    const t = wordingOf(lang);
    const pattern = patternOf(lang);
    /** A support agent logged in, in a browser of their own, on the support page. */
    const supportPage = async (username: string): Promise<Page> => {
      const context = await browser.newContext({ locale: 'nl-BE', timezoneId: 'Europe/Brussels' });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      await page.goto(`${service.url}/`);
      await page.locator('#page-title').waitFor();
      await switchTo(page, lang);
      await page.getByLabel(t('login.username')).fill(username);
      await page.getByLabel(t('login.password'), { exact: true }).fill(password);
      await page.getByRole('button', { name: t('login.submit') }).click();
      await expect.poll(() => page.locator('#page-title').textContent()).toBe(t('account.title'));
      await page.goto(`${service.url}/support`);
      await expect.poll(() => page.locator('#page-title').textContent()).toBe(t('support.title'));
      return page;
    };
    const find = async (page: Page, username: string) => {
      await page.locator('form[role="search"]').getByLabel(t('support.username')).fill(username);
      await page.getByRole('button', { name: t('support.find') }).click();
      await expect
        .poll(() => page.locator('#user-title').textContent())
        .toBe(t('support.userTitle', { name: username }));
    };

    it('one agent asks for a reset; a second agent approves it, and only then it happens', async () => {
      const username = `frank-${lang}`;
      const ticket = `SUP-200-${lang}`;
      const frankId = await enrolled(username);
      const ann = await supportPage('helpdesk-ann');
      await find(ann, username);
      const reset = ann.locator('#reset-form');
      await reset.getByLabel(t('support.reason')).fill('Smartphone verloren, identiteit gecontroleerd');
      await reset.getByLabel(t('support.ticket')).fill(ticket);
      await reset.getByRole('button', { name: t('support.reset') }).click();
      await expect
        .poll(() => ann.locator('#support-result').textContent())
        .toMatch(pattern('support.awaitingApproval'));
      // Nothing happened yet; her own request offers a withdrawal, not an approval.
      expect(await ann.locator('#support-result dl').textContent()).toMatch(pattern('support.enrolledSince'));
      await expect.poll(() => requestOf(ann, username).count()).toBe(1);
      expect(await requestOf(ann, username).textContent()).toContain(t('support.requestedByYou'));
      expect(
        await requestOf(ann, username)
          .getByRole('button', { name: t('support.approve') })
          .count(),
      ).toBe(0);
      expect(
        await requestOf(ann, username)
          .getByRole('button', { name: t('support.withdraw') })
          .count(),
      ).toBe(1);

      const bob = await supportPage('helpdesk-bob');
      await expect.poll(() => requestOf(bob, username).count()).toBe(1);
      const request = requestOf(bob, username);
      expect(await request.locator('h3').textContent()).toBe(t('support.action.two-factor-reset'));
      const facts = (await request.locator('dl').textContent()) ?? '';
      for (const fact of [username, ticket, 'helpdesk-ann', t('support.requestedBy')])
        expect(facts).toContain(fact);
      await request.getByRole('button', { name: t('support.approve') }).click();
      await expect
        .poll(() => bob.locator('#support-request-outcome').textContent())
        .toContain(t('support.approvedReset', { name: username }));
      await expect
        .poll(() => bob.locator('#support-request-list').textContent())
        .toContain(t('support.requestsNone'));
      await find(bob, username);
      expect(await bob.locator('#support-result dl').textContent()).toContain(t('support.notEnrolled'));

      // The audit history names both: the agent who asked (actor) and the one who approved.
      await bob.goto(`${service.url}/audit`);
      await expect.poll(() => bob.locator('#page-title').textContent()).toBe(t('audit.title'));
      await bob.getByLabel(t('audit.userId')).first().fill(frankId);
      await bob.getByRole('button', { name: t('audit.search') }).click();
      const row = bob.locator('tr[data-type="SupportReset"]');
      await row.waitFor();
      const actorCell = (await row.locator('td').nth(3).textContent()) ?? '';
      expect(actorCell).toContain(annId);
      expect(actorCell).toContain(`${t('audit.approvedBy')} ${bobId}`);
      expect(await row.textContent()).toContain(ticket);
    });

    it('approving a temporary access shows the code to the approver once', async () => {
      const username = `greta-${lang}`;
      await enrolled(username);
      const bob = await supportPage('helpdesk-bob');
      await find(bob, username);
      const form = bob.locator('#temporary-form');
      await form.getByLabel(t('support.reason')).fill('Smartphone verloren');
      await form.getByLabel(t('support.ticket')).fill(`SUP-201-${lang}`);
      await form.getByRole('button', { name: t('support.temporaryIssue') }).click();
      await expect
        .poll(() => bob.locator('#support-result').textContent())
        .toMatch(pattern('support.awaitingApproval'));
      expect(await bob.locator('#temporary-code').count()).toBe(0);

      const ann = await supportPage('helpdesk-ann');
      await expect.poll(() => requestOf(ann, username).count()).toBe(1);
      expect(await requestOf(ann, username).locator('h3').textContent()).toBe(
        t('support.action.temporary-access'),
      );
      await requestOf(ann, username)
        .getByRole('button', { name: t('support.approve') })
        .click();
      await ann.locator('#temporary-code').waitFor();
      expect(await ann.locator('#temporary-code').textContent()).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
      expect(await ann.locator('#temporary-code-shown').textContent()).toMatch(
        pattern('support.approvedTemporary', { name: username }),
      );
    });
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
});
