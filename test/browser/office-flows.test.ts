import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'otplib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';

/** The office admin's compliance report and re-enrolment campaign, clicked through in Chromium (NL and EN). */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`office-flow browser tests skipped: ${chromiumPath} is missing`);

const root = fileURLToPath(new URL('../../', import.meta.url));
const screenshots = join(root, 'test-output/screenshots');
const axeScript = hasChromium ? readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8') : '';
const apiKey = 'browser-office-flows-key-0123456789abcdef';
const password = 'correct horse battery staple';

describe.skipIf(!hasChromium)('office flows in Chromium', { timeout: 60_000 }, () => {
  let service: RunningService;
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
  const enrolled = async (username: string) => {
    await user(username);
    const { session } = await call('/v1/login', { username, password });
    const auth = { authorization: `Bearer ${session}` };
    const { enrollmentId, secret } = await call('/v1/me/two-factor/enrollment', { password }, auth);
    const code = generateSync({ secret: secret ?? '', epoch: Math.floor(Date.now() / 1000) - 30 });
    await call('/v1/me/two-factor/enrollment/confirm', { enrollmentId, code }, auth);
    return secret ?? '';
  };

  beforeAll(async () => {
    if (!existsSync(join(root, 'web/dist/index.html')))
      execFileSync(process.execPath, [join(root, 'web/build.ts')], { stdio: 'inherit' });
    mkdirSync(screenshots, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-browser-office-'));
    service = await startService(
      loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PLATFORM_API_KEY: apiKey }),
    );
    officeId =
      (await call('/v1/platform/offices', { name: 'Kantoor Gent' }, { 'x-api-key': apiKey })).officeId ?? '';
    await user('beheer', 'office-admin');
    await user('bram');
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
  const logIn = async (page: Page, username: string, english = false) => {
    await page.getByLabel(english ? 'Username' : 'Gebruikersnaam').fill(username);
    await page.getByLabel(english ? 'Password' : 'Wachtwoord', { exact: true }).fill(password);
    await page.getByRole('button', { name: english ? 'Log in' : 'Inloggen' }).click();
  };
  const adminOnOfficePage = async (english: boolean) => {
    const page = await open('/');
    if (english) await toEnglish(page);
    await logIn(page, 'beheer', english);
    await expect.poll(() => title(page)).not.toBe(english ? 'Log in' : 'Inloggen');
    await page.goto(`${service.url}/office/security`);
    await page.locator('#compliance-table').waitFor();
    if (english) await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    return page;
  };
  const axe = async (page: Page, name: string) => {
    if ((await page.evaluate(() => 'axe' in window)) === false) await page.evaluate(axeScript);
    const severe = await page.evaluate(async () => {
      const run = (
        window as unknown as {
          axe: {
            run: (d: Document) => Promise<{ violations: Array<{ id: string; impact: string | null }> }>;
          };
        }
      ).axe.run;
      const results = await run(document);
      return results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id);
    });
    expect(severe, `axe on ${name}`).toEqual([]);
  };

  it('the admin reads the compliance report, looks at a past moment and exports it as CSV (NL)', async () => {
    await enrolled('anke');
    const page = await adminOnOfficePage(false);
    const row = (username: string) => page.locator(`#compliance-table tr[data-member="${username}"]`);
    await expect.poll(() => row('anke').textContent()).toContain('In orde');
    await expect.poll(() => row('bram').textContent()).toContain('Niet verplicht');
    await expect.poll(() => page.locator('#compliance-totals').textContent()).toContain('Nu: 1 van de 3');
    await axe(page, 'office page with the report (nl)');
    await page.locator('#compliance').screenshot({ path: join(screenshots, 'compliance-report-nl.png') });

    // Past moments come from the history: an hour ago the office did not exist yet; a moment
    // typed in the page's format (dd-mm-jjjj uu:mm) a little ahead shows the totals at that moment.
    const typedNl = (date: Date) =>
      new Intl.DateTimeFormat('nl-BE', {
        timeZone: 'Europe/Brussels',
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .format(date)
        .replace(/\//g, '-')
        .replace(',', '');
    const moment = page.locator('#compliance').getByLabel('Moment (leeg: nu)');
    await moment.fill(typedNl(new Date(Date.now() - 3_600_000)));
    await page.getByRole('button', { name: 'Rapport tonen' }).click();
    await expect
      .poll(() => page.locator('#compliance [role="alert"]').textContent())
      .toContain('Niet gevonden');
    await moment.fill(typedNl(new Date(Date.now() + 120_000)));
    await page.getByRole('button', { name: 'Rapport tonen' }).click();
    await expect.poll(() => page.locator('#compliance-totals').textContent()).toMatch(/^Op .*: 1 van de 3/);
    expect(await page.locator('#compliance-export').getAttribute('href')).toContain('compliance.csv?at=');

    const href = (await page.locator('#compliance-export').getAttribute('href')) ?? '';
    expect(href).toContain(`/v1/offices/${officeId}/compliance.csv`);
    const csv = await page.request.get(`${service.url}/v1/offices/${officeId}/compliance.csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('username,userId,role,twoFactor,enrolledAt,lastSecondFactorAt,status,deadline');
    expect(lines.find((line) => line.startsWith('anke,'))).toContain(',compliant,');
  });

  it('the admin requires setting up again; a member is reminded at login; the admin ends it (EN)', async () => {
    const secret = await enrolled('emma');
    const page = await adminOnOfficePage(true);
    const campaign = page.locator('#campaign');
    const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000);
    const typed = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Brussels',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(inTwoWeeks)
      .replace(',', '');
    await campaign.getByLabel('By').fill(typed);
    await campaign
      .getByLabel('Reason (not shown to members; auditors see it)')
      .fill('Phishing wave in March');
    await campaign.getByRole('button', { name: 'Require setting up again' }).click();
    await expect
      .poll(() => page.locator('#campaign-state').textContent())
      .toContain('Phishing wave in March');
    await expect.poll(() => page.locator('#campaign-progress').textContent()).toContain('0 of 2 members');
    const emmaRow = page.locator('#compliance-table tr[data-member="emma"]');
    await expect.poll(() => emmaRow.textContent()).toContain('Due by');
    await axe(page, 'office page with a campaign (en)');
    await page.locator('#campaign').screenshot({ path: join(screenshots, 'reenrolment-campaign-en.png') });

    const member = await open('/');
    await toEnglish(member);
    await logIn(member, 'emma', true);
    await expect.poll(() => title(member)).toBe('Two-factor authentication token');
    await expect
      .poll(() => member.locator('#reenrol-reminder').textContent())
      .toContain('Your office asks you to set up a new authenticator app by');
    await member.getByLabel('Two-factor authentication token').fill(generateSync({ secret }));
    await member.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => title(member)).toBe('Account security');
    await expect
      .poll(() => member.locator('#reenrol-reminder').textContent())
      .toContain('Your old codes stop working');

    await page.getByRole('button', { name: 'End', exact: true }).click();
    await expect.poll(() => page.locator('#campaign').textContent()).toContain('Require setting up again');
  });
});
