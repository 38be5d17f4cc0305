import { h } from '../dom.ts';
import { type MessageKey, tx } from '../i18n.ts';
import { pageHeading } from '../ui.ts';

export const signInFirst = () =>
  h(
    'div',
    {},
    pageHeading('login.title'),
    h('p', {}, tx('common.signInFirst')),
    h('p', {}, h('a', { href: '/' }, tx('common.toLogin'))),
  );

export const notForYou = (title: MessageKey, message: MessageKey) =>
  h('div', {}, pageHeading(title), h('p', { class: 'notice' }, tx(message)));
