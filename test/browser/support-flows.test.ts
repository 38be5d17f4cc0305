import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookReceiver } from '../support/webhook-receiver.ts';
import { browserHarness, chromiumMissing, findOnSupportPage } from './browser-harness.ts';
import { type Lang, languages, patternOf, switchTo, wordingOf } from './wording.ts';

const noChromium = chromiumMissing('support-flow browser tests');

/**
 * Support's temporary access and the user's freeze, clicked through in Chromium, once in Dutch and once in
 * English: every label, title and answer is the page's own wording of that language (web/src/messages.ts).
 */
describe.skipIf(noChromium)('support flows in Chromium', { timeout: 60_000 }, () => {
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  // Before the harness's hooks: the service is started with the receiver's address.
  beforeAll(async () => {
    hooks = await webhookReceiver();
  });
  afterAll(async () => {
    await hooks?.close();
  });
  const harness = browserHarness({
    name: 'flows',
    config: () => ({ WEBHOOK_URL: hooks.url, WEBHOOK_SECRET: 'browser-flows-webhook-secret' }),
  });
  let officeId: string;
  const enrolled = async (username: string) => (await harness.enrolled(officeId, username)).userId;

  beforeAll(async () => {
    officeId = await harness.office('Kantoor Brugge');
    await harness.user(officeId, 'helpdesk', 'support');
  }, 60_000);

  /** A fresh browser (its own cookies and stored language) on `path`, switched to `lang`. */
  const open = async (path: string, lang: Lang): Promise<Page> => {
    const page = await harness.open(path);
    await switchTo(page, lang);
    return page;
  };
  const title = (page: Page) => page.locator('#page-title').textContent();

  describe.each(languages)('in %s', (lang) => {
    const t = wordingOf(lang);
    const pattern = patternOf(lang);
    const logIn = (page: Page, username: string) => harness.logIn(page, username, lang);
    const supportPage = () => harness.supportDesk('helpdesk', lang);
    const supportFinds = (page: Page, username: string) => findOnSupportPage(page, username, lang);

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
      await user.goto(`${harness.url}/`);
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
