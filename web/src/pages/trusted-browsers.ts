import { api, type TrustedBrowser } from '../api.ts';
import { h, replace } from '../dom.ts';
import { dateParam, t, tx } from '../i18n.ts';
import { alertBox, statusBox } from '../ui.ts';

const date = (iso: string) => tx('trust.date', { date: dateParam(iso) });

/** 'Vertrouwde browsers' on the account page: each one with when it was trusted, until when, and Revoke. */
export const trustedBrowsersSection = () => {
  const alert = alertBox();
  const done = statusBox();
  const list = h('div', { id: 'trusted-browsers' });
  const load = async () => {
    const { items } = await api.trustedBrowsers();
    replace(
      list,
      items.length === 0 ? h('p', { id: 'no-trusted-browsers' }, tx('trust.none')) : table(items),
    );
  };
  const revoke = async (browser: TrustedBrowser) => {
    alert.clear();
    done.clear();
    try {
      await api.revokeTrustedBrowser(browser.browserId);
      await load();
      done.show('trust.revoked');
    } catch (error) {
      alert.show(error);
    }
  };
  const table = (items: TrustedBrowser[]) =>
    h(
      'table',
      { class: 'list' },
      h('caption', { class: 'visually-hidden' }, tx('trust.title')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, tx('trust.browser')),
          h('th', { scope: 'col' }, tx('trust.trustedAt')),
          h('th', { scope: 'col' }, tx('trust.expiresAt')),
          h('th', { scope: 'col' }, tx('trust.lastUsed')),
          h('td', {}),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((browser) =>
          h(
            'tr',
            { 'data-browser-id': browser.browserId },
            h(
              'th',
              { scope: 'row' },
              browser.description,
              browser.current ? [' ', tx('trust.current')] : null,
            ),
            h('td', {}, date(browser.trustedAt)),
            h('td', {}, date(browser.expiresAt)),
            h('td', {}, browser.lastUsedAt === null ? tx('trust.never') : date(browser.lastUsedAt)),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'aria-label': t('trust.revokeLabel', { name: browser.description }),
                  onclick: () => void revoke(browser),
                },
                tx('trust.revoke'),
              ),
            ),
          ),
        ),
      ),
    );
  const section = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'trusted-title' },
    h('h2', { id: 'trusted-title' }, tx('trust.title')),
    h('p', {}, tx('trust.intro')),
    list,
    alert.element,
    done.element,
  );
  load().catch(alert.show);
  return section;
};
