import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserHarness, chromiumMissing, screenshots, severeAxeViolations } from './browser-harness.ts';

/** An authenticator app: each code is for a later 30 s step than the last one it gave. */
class Authenticator {
  private lastStep = -1;
  readonly secret: string;
  constructor(secret: string) {
    this.secret = secret;
  }
  async code(): Promise<string> {
    for (;;) {
      const now = Math.floor(Date.now() / 30_000);
      const step = Math.max(this.lastStep + 1, now);
      if (step <= now + 1) {
        this.lastStep = step;
        return generateSync({ secret: this.secret, epoch: step * 30 });
      }
      await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 50));
    }
  }
}

type Ids = { officeId: string } & Record<'alice' | 'bob' | 'carol' | 'admin' | 'support' | 'auditor', string>;

const noChromium = chromiumMissing('browser tests');

/**
 * The reference web pages in a real browser: every flow of the help article with real TOTP codes,
 * axe-core on every page in both languages, and a screenshot of each in test-output/screenshots/.
 */
describe.skipIf(noChromium)('reference web pages in Chromium', { timeout: 60_000 }, () => {
  const harness = browserHarness({
    name: 'pages',
    config: { LOGIN_RATE_LIMIT_PER_MINUTE: '10000', LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '10000' },
  });
  const { password, problems } = harness;
  let ids: Ids;
  const taken: string[] = [];
  const authenticators: Record<string, Authenticator> = {};
  const moments: Record<string, string> = {};

  beforeAll(async () => {
    const officeId = await harness.office('Kantoor Gent');
    const user = (username: string, role: string, office = officeId) => harness.user(office, username, role);
    const staffOffice = await harness.office('Platform support');
    const staff = (username: string, role: string) => user(username, role, staffOffice);
    ids = {
      officeId,
      alice: await user('alice', 'member'),
      bob: await user('bob', 'member'),
      admin: await user('admin', 'office-admin'),
      // Support and audit staff work for the platform, in an office of their own.
      support: await staff('support', 'support'),
      auditor: await staff('auditor', 'auditor'),
      carol: await staff('carol', 'member'),
    };
  }, 60_000);

  afterAll(() => {
    if (taken.length > 0) console.info(`browser: ${taken.length} screenshots in ${screenshots}`);
  });

  /** A browser of its own for one person (own cookies and language choice), starting in Dutch. */
  const open = async (path = '/'): Promise<Page> => {
    const context = await harness.context({
      viewport: { width: 1100, height: 900 },
      acceptDownloads: true,
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.url });
    context.on('console', (message) => {
      // HTTP errors the pages answer themselves (wrong password, unknown user) are no problem.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(`console: ${message.text()}`);
    });
    return harness.pageIn(context, path);
  };

  const language = async (page: Page) => (await page.locator('html').getAttribute('lang')) ?? 'nl';

  const axe = async (page: Page, name: string) =>
    expect(await severeAxeViolations(page), `axe on ${name} (${await language(page)})`).toEqual([]);

  /** Screenshots and axe in both languages; the page ends in the language it started in. */
  const capture = async (page: Page, name: string) => {
    const first = await language(page);
    for (const lang of [first, first === 'nl' ? 'en' : 'nl']) {
      if ((await language(page)) !== lang) await page.locator('#language-switch').click();
      await expect.poll(() => language(page)).toBe(lang);
      const started = Date.now();
      await axe(page, name);
      const axed = Date.now();
      const file = join(screenshots, `${name}.${lang}.png`);
      await page.screenshot({ path: file, fullPage: true });
      taken.push(file);
      if (process.env.BROWSER_TIMING)
        console.info(name, lang, 'axe', axed - started, 'shot', Date.now() - axed);
    }
    await page.locator('#language-switch').click();
    await expect.poll(() => language(page)).toBe(first);
  };

  const logIn = (page: Page, username: string) => harness.logIn(page, username);

  /** The URL changes before the page has rendered: wait for its heading instead. */
  const shows = async (page: Page, title: string) =>
    expect.poll(() => page.locator('#page-title').textContent(), { timeout: 10_000 }).toBe(title);

  const readSecret = async (page: Page) => {
    const key = page.locator('.manual-key');
    await key.waitFor();
    const secret = (await key.textContent())?.replace(/\s/g, '') ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await page.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    return secret;
  };

  const expectCodeInput = async (page: Page, label: string | RegExp) => {
    const input = page.getByLabel(label);
    await expect.poll(() => input.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await input.getAttribute('inputmode')).toBe('numeric');
    return input;
  };

  it('serves the pages under the CSP next to the API', async () => {
    const page = await fetch(`${harness.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const unknown = await fetch(`${harness.url}/v1/does-not-exist`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(`${harness.url}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${harness.url}/healthz`)).status).toBe(200);
  });

  it('help page, and the login page shows a wrong password as an alert', async () => {
    const help = await open('/help');
    await capture(help, 'help');
    const page = await open('/');
    await capture(page, 'login');
    await page.getByLabel('Gebruikersnaam').fill('alice');
    await page.getByLabel('Wachtwoord', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Gebruikersnaam of wachtwoord klopt niet');
    await capture(page, 'login-error');
  });

  it('a member enrols by QR code, gets recovery codes once and logs in with a code (keyboard only)', async () => {
    const page = await open('/');
    await logIn(page, 'alice');
    await shows(page, 'Accountbeveiliging');
    await expect.poll(() => page.locator('#two-factor-state').textContent()).toContain('niet ingeschakeld');
    await capture(page, 'account-security-off');

    await page.getByLabel('Wachtwoord', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'QR-code tonen' }).click();
    const secret = await readSecret(page);
    authenticators.alice = new Authenticator(secret);
    await capture(page, 'account-enrol-qr');
    const code = await expectCodeInput(page, '6-cijferige code uit je app');
    await code.fill('000000');
    await page.getByRole('button', { name: 'Registreer twee-factor-authenticatie' }).click();
    const setup = page.locator('section', { has: page.locator('#setup-title') });
    await expect.poll(() => setup.getByRole('alert').textContent()).toContain('klopt niet');
    await code.fill(await authenticators.alice.code());
    await page.getByRole('button', { name: 'Registreer twee-factor-authenticatie' }).click();
    const codes = page.locator('ol.codes li');
    await expect.poll(() => codes.count()).toBe(10);
    // Done: the card no longer offers to set it up.
    expect(await page.locator('#setup-title').textContent()).toBe('Twee-factor-authenticatie is ingesteld');
    const shown = (await codes.allTextContents()).map((text) => text.trim());
    await capture(page, 'account-recovery-codes');

    await page.getByRole('button', { name: 'Kopiëren' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('gekopieerd');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(shown[0]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Downloaden' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('herstelcodes.txt');
    const downloaded = readFileSync((await download.path()) ?? '', 'utf8');
    for (const recoveryCode of shown) expect(downloaded).toContain(recoveryCode);

    await page.getByRole('button', { name: 'Doorgaan' }).click();
    await expect.poll(() => page.locator('#two-factor-state').textContent()).toContain('ingeschakeld sinds');
    await expect.poll(() => page.locator('ol.codes').count()).toBe(0);
    await capture(page, 'account-security-on');
    moments.aliceEnrolled = new Date().toISOString();

    // Log out, then log in again with the keyboard only: the code step asks the token.
    await page.locator('#logout').click();
    await shows(page, 'Inloggen');
    await page.reload();
    await page.locator('#page-title').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    for (let presses = 0; presses < 20; presses += 1) {
      if ((await page.evaluate(() => document.activeElement?.getAttribute('name'))) === 'username') break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    const token = await expectCodeInput(page, 'Twee-factor authenticatie token');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('autocomplete')))
      .toBe('one-time-code');
    await capture(page, 'login-code');
    // The language switch took the focus: tab back to the token field.
    for (let presses = 0; presses < 20; presses += 1) {
      if ((await page.evaluate(() => document.activeElement?.getAttribute('name'))) === 'code') break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(await authenticators.alice.code());
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#page-title').textContent()).toBe('Accountbeveiliging');
    expect(await token.count()).toBe(0);

    // New recovery codes with the password as proof.
    await page.getByLabel('Met mijn wachtwoord').first().check();
    await page.locator('input[name="proof-password"]').first().fill(password);
    await page.getByRole('button', { name: 'Nieuwe herstelcodes aanmaken' }).click();
    await expect.poll(() => page.locator('ol.codes li').count()).toBe(10);
    expect(await page.locator('ol.codes li').first().textContent()).not.toBe(shown[0]);
  });

  it('a member changes her password on the account page; the old one no longer logs in', async () => {
    // An office of her own, so the office admin's member counts stay as they are.
    await harness.user(await harness.office('Kantoor Mechelen'), 'dora');
    const page = await open('/');
    await logIn(page, 'dora');
    await shows(page, 'Accountbeveiliging');
    const card = page.locator('section', { has: page.locator('#password-title') });
    expect(await card.locator('#password-title').textContent()).toBe('Wachtwoord wijzigen');
    // Without 2FA the card asks no code.
    expect(await card.locator('input[autocomplete="one-time-code"]').count()).toBe(0);
    await capture(page, 'account-password');
    const newPassword = 'een nieuwe lange zin';
    await card.getByLabel('Huidig wachtwoord').fill(password);
    await card.getByLabel('Nieuw wachtwoord').fill(newPassword);
    await card.getByLabel('Herhaal het nieuwe wachtwoord').fill('iets anders');
    await card.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toContain('niet gelijk');
    await card.getByLabel('Nieuw wachtwoord').fill('password1');
    await card.getByLabel('Herhaal het nieuwe wachtwoord').fill('password1');
    await card.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toContain('meest gebruikte');
    await card.getByLabel('Nieuw wachtwoord').fill(newPassword);
    await card.getByLabel('Herhaal het nieuwe wachtwoord').fill(newPassword);
    await card.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await expect.poll(() => card.getByRole('status').textContent()).toContain('Je wachtwoord is gewijzigd');
    await page.locator('#language-switch').click();
    await expect
      .poll(() => card.getByRole('status').textContent())
      .toContain('Your password has been changed');
    expect(await card.locator('#password-title').textContent()).toBe('Change password');
    await page.locator('#language-switch').click();

    const again = await open('/');
    await logIn(again, 'dora');
    await expect
      .poll(() => again.getByRole('alert').textContent())
      .toContain('Gebruikersnaam of wachtwoord klopt niet');
    await again.getByLabel('Wachtwoord', { exact: true }).fill(newPassword);
    await again.getByRole('button', { name: 'Inloggen' }).click();
    await shows(again, 'Accountbeveiliging');
  });

  it('a member who set it up herself turns it off again with a code', async () => {
    const page = await open('/');
    await logIn(page, 'carol');
    await shows(page, 'Accountbeveiliging');
    await page.getByLabel('Wachtwoord', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'QR-code tonen' }).click();
    const carol = new Authenticator(await readSecret(page));
    await page.getByLabel('6-cijferige code uit je app').fill(await carol.code());
    await page.getByRole('button', { name: 'Registreer twee-factor-authenticatie' }).click();
    await expect.poll(() => page.locator('#two-factor-state').textContent()).toContain('ingeschakeld sinds');
    await page.getByRole('button', { name: 'Doorgaan' }).click();
    const disable = page.locator('section', { has: page.locator('#disable-title') });
    await disable.getByLabel('6-cijferige code').fill('123');
    await disable.getByRole('button', { name: 'Twee-factor-authenticatie uitschakelen' }).click();
    await expect.poll(() => disable.getByRole('alert').textContent()).toContain('Geef de 6 cijfers');
    await disable.getByLabel('6-cijferige code').fill(await carol.code());
    await disable.getByRole('button', { name: 'Twee-factor-authenticatie uitschakelen' }).click();
    await expect.poll(() => page.locator('#two-factor-state').textContent()).toContain('niet ingeschakeld');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('uitgeschakeld');
    await capture(page, 'account-disabled');
  });

  it('the office admin requires 2FA and sees who still has to enrol', async () => {
    const page = await open('/');
    await logIn(page, 'admin');
    await shows(page, 'Accountbeveiliging');
    await page.getByRole('link', { name: 'Kantoorbeveiliging' }).click();
    await shows(page, 'Kantoorbeveiliging');
    await expect.poll(() => page.locator('#policy-state').textContent()).toContain('niet verplicht');
    await expect.poll(() => page.locator('tr[data-username]').count()).toBe(3);
    await capture(page, 'office-security');

    await page.getByLabel('Twee-factor-authenticatie verplichten').check();
    await page.getByRole('button', { name: 'Opslaan' }).click();
    await expect
      .poll(() => page.locator('#policy-state').textContent())
      .toContain('is verplicht voor dit kantoor');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('opgeslagen');
    await expect
      .poll(() => page.locator('tr[data-username="bob"] td').last().textContent())
      .toBe('Moet nog instellen');
    expect(await page.locator('tr[data-username="alice"] td').last().textContent()).toContain('Ingesteld op');
    await expect.poll(() => page.locator('#members-summary').textContent()).toContain('2 van de 3');
    await capture(page, 'office-security-required');
    moments.officeRequired = new Date().toISOString();
  });

  it('an unenrolled colleague is sent to enrol, enrols and cannot disable while it is required', async () => {
    const page = await open('/');
    await logIn(page, 'bob');
    await expect
      .poll(() => page.locator('#page-title').textContent())
      .toBe('Je kantoor verplicht twee-factor-authenticatie');
    // The office requires it, not a person: the screen names nobody.
    expect(await page.locator('#enrol-why').textContent()).toContain('Jouw kantoor verplicht');
    expect(await page.locator('#enrol-why').textContent()).not.toContain('beheerder');
    expect(await page.locator('#enrol-why a').getAttribute('href')).toBe('/help');
    const secret = await readSecret(page);
    authenticators.bob = new Authenticator(secret);
    await capture(page, 'login-enrolment-required');
    const code = await expectCodeInput(page, '6-cijferige code uit je app');
    await code.fill(await authenticators.bob.code());
    await page.getByRole('button', { name: 'Registreer twee-factor-authenticatie' }).click();
    await expect.poll(() => page.locator('ol.codes li').count()).toBe(10);
    expect(await page.locator('#page-title').textContent()).toBe('Twee-factor-authenticatie is ingesteld');
    await capture(page, 'login-enrolment-recovery-codes');
    await page.getByRole('button', { name: 'Doorgaan' }).click();
    await shows(page, 'Accountbeveiliging');
    await expect.poll(() => page.locator('#two-factor-state').textContent()).toContain('ingeschakeld sinds');
    expect(await page.locator('#disable-refused').textContent()).toContain('niet mogelijk');
    expect(await page.getByRole('button', { name: 'Twee-factor-authenticatie uitschakelen' }).count()).toBe(
      0,
    );
    await capture(page, 'account-disable-refused');
    moments.bobEnrolled = new Date().toISOString();

    // The service refuses it too, whatever a page offers.
    const refused = await page.evaluate(async (proof) => {
      const response = await fetch('/v1/me/two-factor', {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: proof }),
      });
      return { status: response.status, body: await response.json() };
    }, password);
    expect(refused).toMatchObject({ status: 403, body: { code: 'office-requires-two-factor' } });
  });

  it('support finds a user and resets their 2FA with a reason and a ticket', async () => {
    const page = await open('/');
    await logIn(page, 'support');
    await shows(page, 'Accountbeveiliging');
    await page.getByRole('link', { name: 'Support' }).click();
    await shows(page, 'Support');
    await capture(page, 'support');
    await page.getByLabel('Gebruikersnaam').fill('nobody');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('Geen gebruiker gevonden');
    await page.getByLabel('Gebruikersnaam').fill('bob');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect.poll(() => page.locator('#support-result dl').textContent()).toContain(ids.bob);
    expect(await page.locator('#support-result dl').textContent()).toContain('Ingesteld sinds');
    await capture(page, 'support-user');
    // The erase form has a reason and a ticket of its own: fill the reset form's.
    const reset = page.locator('form', { has: page.locator('#reset-title') });
    await reset.getByLabel('Reden').fill('Smartphone verloren');
    await reset.getByLabel('Ticketnummer').fill('SUP-1234');
    await page.getByRole('button', { name: 'Twee-factor-authenticatie resetten' }).click();
    await expect
      .poll(() => page.locator('#support-result .success').textContent())
      .toContain('bob moet bij de volgende login opnieuw');
    expect(await page.locator('#support-result dl').textContent()).toContain('Niet ingesteld');
    await capture(page, 'support-reset-done');
    moments.bobReset = new Date().toISOString();

    const again = await open('/');
    await logIn(again, 'bob');
    await expect
      .poll(() => again.locator('#page-title').textContent())
      .toBe('Je kantoor verplicht twee-factor-authenticatie');
  });

  it('the auditor filters the history, sees the state at a chosen moment and exports', async () => {
    const page = await open('/');
    await logIn(page, 'auditor');
    await shows(page, 'Accountbeveiliging');
    await page.getByRole('link', { name: 'Audit' }).click();
    await shows(page, 'Audit');
    await expect.poll(() => page.locator('#audit-events tbody tr').count()).toBeGreaterThan(5);
    await capture(page, 'audit');

    await page.getByLabel('Gebruikers-ID').first().fill(ids.bob);
    await page.getByRole('button', { name: 'Zoeken' }).click();
    const rows = page.locator('#audit-events tbody tr');
    // The unfiltered history starts with the offices; the filtered one has only bob's streams.
    await expect
      .poll(() => rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-stream') ?? '')))
      .not.toContainEqual(expect.stringMatching(/^office-/));
    expect(await page.locator('#audit-events tbody tr[data-type="SupportReset"]').count()).toBe(1);
    const types = await page
      .locator('#audit-events tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['UserRegistered', 'TotpEnrolled', 'SupportReset']));
    const exportHref = await page.locator('#audit-export').getAttribute('href');
    expect(exportHref).toContain(`userId=${ids.bob}`);
    const exported = await page.request.get(`${harness.url}${exportHref}`);
    expect(exported.status()).toBe(200);
    const lines = (await exported.text()).trim().split('\n');
    // One line per event shown, then the signed checkpoint that closes every export.
    expect(lines.length).toBe(types.length + 1);
    expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({
      type: 'checkpoint',
      checkpoint: { kind: 'export', eventCount: types.length },
    });

    // The state right after bob enrolled, chosen from the history…
    await page.locator('#audit-events tbody tr[data-type="TotpEnrolled"] button').click();
    await expect.poll(() => page.locator('#user-state-result dl').textContent()).toContain(ids.bob);
    expect(await page.locator('#user-state-result dl dd').nth(1).textContent()).toBe('Ja');
    await capture(page, 'audit-user-state');
    // …and now, after the reset.
    await page
      .locator('#user-state-result')
      .evaluate((element) => element.closest('section')?.scrollIntoView());
    const stateForm = page.locator('section', { has: page.locator('#user-state-result') });
    await stateForm.getByLabel('Moment').fill('');
    await stateForm.getByRole('button', { name: 'Tonen' }).click();
    await expect.poll(() => page.locator('#user-state-result dl dd').nth(1).textContent()).toBe('Nee');

    // The office's requirement before and after the admin ticked it.
    const officeForm = page.locator('section', { has: page.locator('#office-state-result') });
    await officeForm.getByLabel('Kantoor-ID').fill(ids.officeId);
    await officeForm.getByRole('button', { name: 'Tonen' }).click();
    await expect.poll(() => page.locator('#office-state-result dl dd').nth(1).textContent()).toBe('Ja');
    const before = new Date(new Date(moments.officeRequired ?? '').getTime() - 60_000);
    const local = await page.evaluate((iso) => {
      const date = new Date(iso);
      const pad = (value: number) => String(value).padStart(2, '0');
      return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
    }, before.toISOString());
    await officeForm.getByLabel('Moment').fill(local);
    await officeForm.getByRole('button', { name: 'Tonen' }).click();
    await expect.poll(() => page.locator('#office-state-result dl dd').nth(1).textContent()).toBe('Nee');
    await capture(page, 'audit-office-state');
  });

  it('support erases a user on request only after typing the username again; that user cannot log in', async () => {
    const dave = await harness.user(await harness.office('Kantoor Brugge'), 'dave');
    // dave has a session open while support erases him.
    const davePage = await open('/');
    await logIn(davePage, 'dave');
    await shows(davePage, 'Accountbeveiliging');
    const daveMe = () => davePage.evaluate(async () => (await fetch('/v1/me')).status);
    expect(await daveMe()).toBe(200);

    const page = await open('/');
    const erasures: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/erasure')) erasures.push(request.url());
    });
    await logIn(page, 'support');
    await shows(page, 'Accountbeveiliging');
    await page.getByRole('link', { name: 'Support' }).click();
    await shows(page, 'Support');
    await page.getByLabel('Gebruikersnaam', { exact: true }).fill('dave');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect.poll(() => page.locator('#support-result dl').textContent()).toContain(dave);
    const erase = page.locator('form', { has: page.locator('#erase-title') });
    expect(await erase.locator('.notice').textContent()).toContain('definitief');
    expect(await erase.locator('.notice').textContent()).toContain("'[erased]'");
    await erase.getByLabel('Reden').fill('Verzoek om persoonsgegevens te verwijderen');
    await erase.getByLabel('Ticketnummer').fill('DPO-77');
    await capture(page, 'support-erase');

    // Without the username typed again (or with a wrong one) nothing is sent.
    const confirmation = erase.getByLabel('Typ ter bevestiging de gebruikersnaam: dave');
    const submit = erase.getByRole('button', { name: 'Gebruiker wissen' });
    const alert = erase.getByRole('alert');
    await submit.click();
    await expect.poll(() => alert.textContent()).toContain('De gebruikersnaam komt niet overeen');
    expect(await alert.textContent()).toContain('Er is nog niets gewist');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('name')))
      .toBe('erase-confirm');
    await confirmation.fill('bob');
    await submit.click();
    await expect.poll(() => alert.textContent()).toContain('Typ dave om te bevestigen');
    await axe(page, 'support-erase-refused');
    expect(erasures).toEqual([]);

    // The service's refusals read like the page's other errors.
    await confirmation.fill('dave');
    await erase.getByLabel('Reden').fill('   ');
    await submit.click();
    await expect.poll(() => alert.textContent()).toMatch(/^Deze invoer is niet geldig: \/reason /);
    const answers: Array<[number, string, string]> = [
      [503, 'service-unavailable', 'even niet beschikbaar'],
      [403, 'not-permitted', 'geen toegang tot deze actie'],
      [404, 'not-found', 'bestaat niet (meer)'],
    ];
    for (const [status, code, shown] of answers) {
      await page.route('**/erasure', (route) =>
        route.fulfill({
          status,
          contentType: 'application/problem+json',
          body: JSON.stringify({ status, code, title: code }),
        }),
      );
      await submit.click();
      await expect.poll(() => alert.textContent()).toContain(shown);
      await page.unroute('**/erasure');
    }
    expect(erasures).toHaveLength(1 + answers.length);
    expect(await daveMe()).toBe(200);

    await erase.getByLabel('Reden').fill('Verzoek om persoonsgegevens te verwijderen');
    await submit.click();
    await expect
      .poll(() => page.locator('#erased .success').textContent())
      .toMatch(/^dave is gewist op .*\d{2}:\d{2}:\d{2}.*'\[erased\]'/);
    expect(await page.locator('#erased dl').textContent()).toContain(dave);
    expect(await page.locator('#support-result form').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('erased-title');
    expect(await page.locator('#erased-title').textContent()).toBe('Gebruiker dave gewist');
    await capture(page, 'support-erase-done');
    expect(await page.locator('#erased .success').textContent()).toMatch(/^dave is gewist op/);

    // The user is gone for support, their session ended, and the history is complete but reads [erased].
    await page.getByLabel('Gebruikersnaam', { exact: true }).fill('dave');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('Geen gebruiker gevonden');
    expect(await daveMe()).toBe(401);
    const history = await page.evaluate(async (userId) => {
      const response = await fetch(`/v1/audit/events?userId=${userId}`);
      return (await response.json()) as { items: Array<{ type: string; data: Record<string, unknown> }> };
    }, dave);
    const types = history.items.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['UserRegistered', 'UserErased']));
    expect(history.items.find((event) => event.type === 'UserRegistered')?.data.username).toBe('[erased]');
    expect(history.items.find((event) => event.type === 'UserErased')?.data).toMatchObject({
      ticket: 'DPO-77',
    });

    // On the login page dave is now unknown.
    const login = await open('/');
    await logIn(login, 'dave');
    await expect
      .poll(() => login.getByRole('alert').textContent())
      .toContain('Gebruikersnaam of wachtwoord klopt niet');
    expect(await login.locator('#page-title').textContent()).toBe('Inloggen');
  });

  it('a signed-out page asks nobody who is signed in (no 401 for /v1/me); a signed-in one asks once', async () => {
    const page = await open('/help');
    const asked: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/v1/me') asked.push(response.status());
    });
    await page.reload();
    await page.locator('#page-title').waitFor();
    await page.goto(`${harness.url}/`);
    await page.locator('#page-title').waitFor();
    expect(asked).toEqual([]);
    await logIn(page, 'auditor');
    await shows(page, 'Accountbeveiliging');
    expect(asked.every((status) => status === 200)).toBe(true);
    asked.length = 0;
    await page.reload();
    await shows(page, 'Accountbeveiliging');
    expect(asked).toEqual([200]);
    await page.locator('#logout').click();
    await shows(page, 'Inloggen');
    asked.length = 0;
    await page.reload();
    await page.locator('#page-title').waitFor();
    expect(asked).toEqual([]);
  });

  it('the deadline is typed in the page language, in the named time zone; a past one is refused', async () => {
    const officeId = await harness.office('Kantoor Leuven');
    await harness.user(officeId, 'leuven-admin', 'office-admin');
    const page = await open('/');
    await logIn(page, 'leuven-admin');
    await shows(page, 'Accountbeveiliging');
    await page.getByRole('link', { name: 'Kantoorbeveiliging' }).click();
    await shows(page, 'Kantoorbeveiliging');
    // One of one: the Dutch verb agrees with "1", and the sentence says what is not set up.
    await expect
      .poll(() => page.locator('#members-summary').textContent())
      .toBe('1 van de 1 getoonde medewerkers heeft twee-factor-authenticatie niet ingesteld.');

    expect(await page.getByLabel('Verplicht vanaf (optioneel)').getAttribute('name')).toBe('enforceFrom');
    // Found by name: its label changes with the language.
    const deadline = page.locator('input[name="enforceFrom"]');
    expect(await deadline.getAttribute('type')).toBe('text');
    expect(await deadline.getAttribute('placeholder')).toBe('dd-mm-jjjj uu:mm');
    expect(await page.locator('.field .hint').first().textContent()).toContain('Europe/Brussels');
    const alert = page.locator('form[aria-labelledby="policy-title"]').getByRole('alert');
    await page.getByLabel('Twee-factor-authenticatie verplichten').check();
    await deadline.fill('01-01-2020 09:00');
    await page.getByRole('button', { name: 'Opslaan' }).click();
    await expect.poll(() => alert.textContent()).toContain('ligt in het verleden');
    await deadline.fill('31-02-2031 09:00');
    await page.getByRole('button', { name: 'Opslaan' }).click();
    await expect.poll(() => alert.textContent()).toContain('dd-mm-jjjj uu:mm');
    await deadline.fill('02-01-2031 09:30');
    await page.getByRole('button', { name: 'Opslaan' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('opgeslagen');
    const state = page.locator('#policy-state');
    expect(await state.textContent()).toContain('2 jan 2031');
    expect(await state.textContent()).toMatch(/09:30:00 (CET|GMT\+1)/);
    expect(await deadline.inputValue()).toBe('02-01-2031 09:30');
    await expect
      .poll(() => page.locator('#members-summary').textContent())
      .toBe('1 van de 1 getoonde medewerkers moet twee-factor-authenticatie nog instellen.');
    await capture(page, 'office-security-deadline');

    await page.locator('#language-switch').click();
    await expect.poll(() => deadline.inputValue()).toBe('02/01/2031 09:30');
    expect(await deadline.getAttribute('placeholder')).toBe('dd/mm/yyyy hh:mm');
    expect(await state.textContent()).toMatch(/2 Jan 2031.*09:30:00 (CET|GMT\+1)/);
    await page.locator('#language-switch').click();

    // The service refuses a past deadline too, whatever a page sends.
    const refused = await page.evaluate(async (id) => {
      const response = await fetch(`/v1/offices/${id}/two-factor-policy`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ required: true, enforceFrom: '2020-01-01T08:00:00Z' }),
      });
      return { status: response.status, body: await response.json() };
    }, officeId);
    expect(refused).toMatchObject({ status: 400, body: { code: 'enforce-from-in-past' } });
  });

  it('kept the language choice and met no script, CSP or console errors', async () => {
    const page = await open('/help');
    await page.locator('#language-switch').click();
    await expect.poll(() => language(page)).toBe('en');
    await page.reload();
    await page.locator('#page-title').waitFor();
    expect(await language(page)).toBe('en');
    expect(await page.locator('#page-title').textContent()).toBe('Help: two-factor authentication');
    expect(problems).toEqual([]);
  });
});
