import { join } from 'node:path';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserHarness, chromiumMissing, screenshots, severeAxeViolations } from './browser-harness.ts';

const noChromium = chromiumMissing('office-flow browser tests');

/** The office admin's compliance report and re-enrolment campaign, clicked through in Chromium (NL and EN). */
describe.skipIf(noChromium)('office flows in Chromium', { timeout: 60_000 }, () => {
  const harness = browserHarness({ name: 'office' });
  let officeId: string;
  const enrolled = async (username: string) => (await harness.enrolled(officeId, username)).secret;

  beforeAll(async () => {
    officeId = await harness.office('Kantoor Gent');
    await harness.user(officeId, 'beheer', 'office-admin');
    await harness.user(officeId, 'bram');
  }, 60_000);

  const open = (path: string) => harness.open(path);
  const toEnglish = async (page: Page) => {
    await page.locator('#language-switch').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
  };
  const title = (page: Page) => page.locator('#page-title').textContent();
  const logIn = (page: Page, username: string, english = false) =>
    harness.logIn(page, username, english ? 'en' : 'nl');
  const adminOnOfficePage = async (english: boolean) => {
    const page = await open('/');
    if (english) await toEnglish(page);
    await logIn(page, 'beheer', english);
    await expect.poll(() => title(page)).not.toBe(english ? 'Log in' : 'Inloggen');
    await page.goto(`${harness.url}/office/security`);
    await page.locator('#compliance-table').waitFor();
    if (english) await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    return page;
  };
  const axe = async (page: Page, name: string) =>
    expect(
      (await severeAxeViolations(page)).map((violation) => violation.id),
      `axe on ${name}`,
    ).toEqual([]);

  /** `date` as typed in the page's date field: day, month, year, hours and minutes in Brussels. */
  const typedIn = (locale: 'nl-BE' | 'en-GB', date: Date) =>
    new Intl.DateTimeFormat(locale, {
      timeZone: 'Europe/Brussels',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(date)
      .replace(',', '');

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
    const typedNl = (date: Date) => typedIn('nl-BE', date).replace(/\//g, '-');
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
    const csv = await page.request.get(`${harness.url}/v1/offices/${officeId}/compliance.csv`);
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
    const typed = typedIn('en-GB', inTwoWeeks);
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
