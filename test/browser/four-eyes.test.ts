import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserHarness, chromiumMissing, findOnSupportPage } from './browser-harness.ts';
import { type Lang, languages, patternOf, wordingOf } from './wording.ts';

const noChromium = chromiumMissing('four-eyes browser tests');

/**
 * Four-eyes on the support page, in Chromium: one agent asks, a second approves, once in Dutch and once in
 * English, each asserted in the page's own wording of that language (web/src/messages.ts).
 */
describe.skipIf(noChromium)('four-eyes on the support page in Chromium', { timeout: 60_000 }, () => {
  const harness = browserHarness({ name: 'four-eyes', config: { SUPPORT_APPROVAL: 'required' } });
  let officeId: string;
  let annId: string;
  let bobId: string;
  const enrolled = async (username: string) => (await harness.enrolled(officeId, username)).userId;

  beforeAll(async () => {
    officeId = await harness.office('Kantoor Gent');
    annId = await harness.user(officeId, 'helpdesk-ann', 'support');
    bobId = await harness.user(officeId, 'helpdesk-bob', 'support');
  }, 60_000);

  /** The pending requests about `username` (one test's requests, whatever another test left behind). */
  const requestOf = (page: Page, username: string) =>
    page.locator('#support-request-list form.request').filter({ hasText: username });

  describe.each(languages)('in %s', (lang: Lang) => {
    const t = wordingOf(lang);
    const pattern = patternOf(lang);
    const supportPage = (username: string) => harness.supportDesk(username, lang);
    const find = (page: Page, username: string) => findOnSupportPage(page, username, lang);

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
      await bob.goto(`${harness.url}/audit`);
      await expect.poll(() => bob.locator('#page-title').textContent()).toBe(t('audit.title'));
      await bob.getByLabel(t('audit.userId')).first().fill(frankId);
      await bob.getByRole('button', { name: t('audit.search') }).click();
      // Only this run's user: the audit page can still show the other language's rows while it loads.
      const row = bob.locator(`tr[data-type="SupportReset"][data-stream="user-security-${frankId}"]`);
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
    const page = await harness.open('/help');
    await expect.poll(() => page.locator('main').textContent()).toContain('Twee paar ogen bij support');
    await page.locator('#language-switch').click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Two pairs of eyes at support');
    expect(await page.locator('main').textContent()).toContain('a second agent approves');
  });
});
