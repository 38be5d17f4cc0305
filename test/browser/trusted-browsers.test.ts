import { join } from 'node:path';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserHarness, chromiumMissing, screenshots } from './browser-harness.ts';

type Labels = {
  user: string;
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

const noChromium = chromiumMissing('trusted-browser browser tests');

/** Trusting a browser at login, logging in without a code, and the list on the account page, NL and EN. */
describe.skipIf(noChromium)('trusted browsers in Chromium', { timeout: 90_000 }, () => {
  const harness = browserHarness({ name: 'trust' });
  let officeId: string;
  const enrolled = async (username: string) => (await harness.enrolled(officeId, username)).secret;

  beforeAll(async () => {
    officeId = await harness.office('Kantoor Leuven');
    await harness.user(officeId, 'leuven-admin', 'office-admin');
    await harness.call(
      `/v1/offices/${officeId}/two-factor-policy`,
      { required: false, trustBrowserDays: 30 },
      { authorization: await harness.bearer('leuven-admin') },
      'PUT',
    );
  }, 60_000);

  const title = (page: Page) => page.locator('#page-title').textContent();

  for (const [lang, labels] of [
    ['nl', nl],
    ['en', en],
  ] as const) {
    it(`trusts the browser with the code, then logs in without one, lists it and revokes it (${lang})`, async () => {
      const username = `trusting-${lang}`;
      const secret = await enrolled(username);
      const context = await harness.context();
      const page = await harness.pageIn(context, '/');
      if (lang === 'en') {
        await page.locator('#language-switch').click();
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
      }

      await harness.logIn(page, username, lang);
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
      await harness.logIn(page, username, lang);
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
      await harness.logIn(page, username, lang);
      await expect.poll(() => title(page)).toBe(labels.codeTitle);
    });
  }
});
