import { beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/application/ports/clock.ts';
import { codeAt } from '../support/totp-codes.ts';
import { browserHarness, chromiumMissing } from './browser-harness.ts';
import { type Lang, languages, switchTo, wordingOf } from './wording.ts';

const day = 24 * 60 * 60 * 1000;

/** The system clock until the tests stand at the campaign's deadline. */
class SettableClock implements Clock {
  fixed: number | null = null;
  now(): Date {
    return new Date(this.fixed ?? Date.now());
  }
}

const noChromium = chromiumMissing('re-enrolment login browser tests');

/** A login whose enrolment a re-enrolment campaign's deadline made overdue, clicked through in Chromium. */
describe.skipIf(noChromium)('an overdue login in Chromium', { timeout: 60_000 }, () => {
  const clock = new SettableClock();
  const harness = browserHarness({ name: 'reenrolment', clock });
  let deadline: string;
  const secrets: Record<Lang, string> = { nl: '', en: '' };

  beforeAll(async () => {
    const officeId = await harness.office('Kantoor Aalst');
    await harness.user(officeId, 'beheer', 'office-admin');
    secrets.nl = (await harness.enrolled(officeId, 'greet')).secret;
    secrets.en = (await harness.enrolled(officeId, 'gwen')).secret;
    // The enrolments must be older than the campaign's start.
    await new Promise((resolve) => setTimeout(resolve, 5));
    deadline = new Date(Date.now() + day).toISOString();
    await harness.call(
      `/v1/offices/${officeId}/reenrollment`,
      { deadline, reason: 'phishing' },
      { authorization: await harness.bearer('beheer') },
    );
    clock.fixed = Date.parse(deadline);
  }, 60_000);

  it.each(languages)('(%s) asks the old code first, then shows the enrolment screen', async (lang) => {
    const say = wordingOf(lang);
    const context = await harness.context();
    // The page compares the deadline with its own clock, so it stands where the service does.
    await context.clock.setFixedTime(new Date(deadline));
    const page = await harness.pageIn(context, '/');
    await switchTo(page, lang);
    await harness.logIn(page, lang === 'nl' ? 'greet' : 'gwen', lang);

    const reminder = page.locator('#reenrol-reminder');
    await reminder.waitFor();
    expect(await reminder.textContent()).toContain(say('login.reenrolNow').split('{date}')[1]?.trim());
    expect(await page.locator('#page-title').textContent()).toBe(say('login.codeTitle'));

    await page
      .getByLabel(say('login.codeLabel'), { exact: true })
      .fill(codeAt(secrets[lang], 0, clock.now().getTime()));
    await page.getByRole('button', { name: say('login.verify') }).click();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe(say('enrol.requiredTitle'));
    expect(await page.locator('#enrol-why').textContent()).toContain(say('enrol.requiredWhy'));
  });
});
