import { api } from '../api.ts';
import type { Page } from '../context.ts';
import { h, replace } from '../dom.ts';
import { tx } from '../i18n.ts';
import { alertBox, button, onSubmit, pageHeading, statusBox } from '../ui.ts';

/**
 * "This wasn't me", opened from the link in an e-mail about a 2FA change (`/freeze?token=…`). Nothing
 * happens on opening, only on the button: mail scanners that follow links must not freeze accounts.
 */
export const freezePage: Page = () => {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const alert = alertBox();
  const panel = h('div', { id: 'freeze-panel' });
  const form = h(
    'form',
    { class: 'panel', novalidate: true, 'aria-labelledby': 'freeze-title' },
    h('h2', { id: 'freeze-title' }, tx('freeze.question')),
    h('p', {}, tx('freeze.what')),
    alert.element,
    button('freeze.submit', { class: 'danger' }),
  );
  onSubmit(form, alert, async () => {
    await api.freeze(token);
    const done = statusBox();
    done.element.classList.add('success');
    done.element.id = 'frozen-done';
    replace(panel, done.element, h('p', {}, tx('freeze.next')));
    done.show('freeze.done');
  });
  replace(panel, token === '' ? h('p', { class: 'notice' }, tx('freeze.noToken')) : form);
  return h('div', {}, pageHeading('freeze.title'), panel);
};
