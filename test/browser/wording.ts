import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { type Lang, type MessageKey, messages } from '../../web/src/messages.ts';

export type { Lang } from '../../web/src/messages.ts';

/** Both languages of the pages, for `describe.each`. */
export const languages: Lang[] = ['nl', 'en'];

/** What the page shows for `key` in `lang`: the page's own table, with `{name}` parameters filled in. */
export const wordingOf =
  (lang: Lang) =>
  (key: MessageKey, params: Record<string, string> = {}): string =>
    messages[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);

/** Puts a freshly opened page (Dutch by default) into `lang` the way a user does: the language switch. */
export const switchTo = async (page: Page, lang: Lang): Promise<void> => {
  if (lang !== 'nl') await page.locator('#language-switch').click();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
};

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `key`'s wording as a pattern: the given parameters filled in, the others (dates) any text. */
export const patternOf =
  (lang: Lang) =>
  (key: MessageKey, params: Record<string, string> = {}): RegExp =>
    new RegExp(
      messages[lang][key]
        .split(/\{(\w+)\}/)
        .map((part, index) => {
          if (index % 2 === 0) return escaped(part);
          const value = params[part];
          return value === undefined ? '.+' : escaped(value);
        })
        .join(''),
    );
