import { api, ProblemError, type SessionUser } from './api.ts';
import type { Page, PageContext } from './context.ts';
import { h, replace } from './dom.ts';
import { initLang, lang, type MessageKey, onLangChange, resetBindings, setLang, t, tx } from './i18n.ts';
import { accountPage } from './pages/account.ts';
import { auditPage } from './pages/audit.ts';
import { freezePage } from './pages/freeze.ts';
import { helpPage } from './pages/help.ts';
import { loginPage } from './pages/login.ts';
import { officePage } from './pages/office.ts';
import { supportPage } from './pages/support.ts';
import { alertBox } from './ui.ts';

type Route = {
  page: Page;
  title: MessageKey;
  nav?: MessageKey;
  show?: (user: SessionUser | null) => boolean;
};

const routes: Record<string, Route> = {
  '/': { page: loginPage, title: 'login.title', nav: 'nav.login', show: (user) => user === null },
  '/account/security': {
    page: accountPage,
    title: 'account.title',
    nav: 'nav.account',
    show: (user) => user !== null,
  },
  '/office/security': {
    page: officePage,
    title: 'office.title',
    nav: 'nav.office',
    show: (user) => user?.role === 'office-admin',
  },
  '/support': {
    page: supportPage,
    title: 'support.title',
    nav: 'nav.support',
    show: (user) => user?.role === 'support',
  },
  '/audit': {
    page: auditPage,
    title: 'audit.title',
    nav: 'nav.audit',
    show: (user) => user?.role === 'auditor' || user?.role === 'support',
  },
  '/help': { page: helpPage, title: 'help.title', nav: 'nav.help' },
  '/freeze': { page: freezePage, title: 'freeze.title' },
};

const header = document.getElementById('top') as HTMLElement;
const main = document.getElementById('main') as HTMLElement;
let firstRender = true;

/** Set by the service with the session cookie (which the page cannot read): no marker, no session. */
const mayBeSignedIn = () => document.cookie.split('; ').some((cookie) => cookie.startsWith('sf_signed_in='));

const currentUser = async (): Promise<SessionUser | null> => {
  if (!mayBeSignedIn()) return null;
  try {
    return await api.me();
  } catch (error) {
    if (error instanceof ProblemError && error.problem.status === 401) {
      // The session ended elsewhere (expired, revoked): ask no more until the next login.
      // biome-ignore lint/suspicious/noDocumentCookie: one fixed value; the Cookie Store API is not in every browser.
      document.cookie = 'sf_signed_in=; Max-Age=0; path=/; SameSite=Strict';
      return null;
    }
    throw error;
  }
};

const navigate = (path: string) => {
  if (path !== location.pathname) history.pushState(null, '', path);
  void render();
};

const context = (user: SessionUser | null): PageContext => ({
  user,
  navigate,
  focus: (element) => {
    if (!element.hasAttribute('tabindex')) element.setAttribute('tabindex', '-1');
    element.focus();
  },
});

const languageButton = () => {
  const button = h('button', { type: 'button', class: 'lang', id: 'language-switch' }, tx('lang.other'));
  onLangChange(() => {
    button.lang = lang() === 'nl' ? 'en' : 'nl';
  });
  button.addEventListener('click', () => setLang(lang() === 'nl' ? 'en' : 'nl'));
  return button;
};

const renderHeader = (user: SessionUser | null, path: string) => {
  const links = Object.entries(routes)
    .filter(([, route]) => route.nav !== undefined && (route.show?.(user) ?? true))
    .map(([href, route]) =>
      h(
        'li',
        {},
        h('a', { href, 'aria-current': href === path ? 'page' : undefined }, tx(route.nav as MessageKey)),
      ),
    );
  const nav = h(
    'nav',
    { 'aria-labelledby': 'nav-label' },
    h('span', { id: 'nav-label', class: 'visually-hidden' }, tx('nav.label')),
    h('ul', {}, links),
  );
  const logout = h(
    'button',
    {
      type: 'button',
      class: 'link',
      id: 'logout',
      onclick: async () => {
        await api.logout().catch(() => null);
        navigate('/');
      },
    },
    tx('nav.logout'),
  );
  replace(
    header,
    h('p', { class: 'brand' }, h('a', { href: '/' }, tx('app.title'))),
    nav,
    h(
      'div',
      { class: 'session' },
      user === null ? null : [h('span', {}, tx('nav.signedInAs', { name: user.username })), ' ', logout],
      languageButton(),
    ),
  );
};

const render = async () => {
  resetBindings();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const route = routes[path] ?? routes['/'];
  if (route === undefined) return;
  const skip = document.querySelector('.skip-link');
  onLangChange(() => {
    document.title = `${t(route.title)} · ${t('app.title')}`;
    if (skip !== null) skip.textContent = t('app.skip');
  });
  main.setAttribute('aria-busy', 'true');
  try {
    const user = await currentUser();
    renderHeader(user, path);
    const content = await route.page(context(user));
    replace(main, content);
  } catch (error) {
    const alert = alertBox();
    replace(main, h('h1', { tabindex: '-1', id: 'page-title' }, tx(route.title)), alert.element);
    alert.show(error);
  } finally {
    main.removeAttribute('aria-busy');
  }
  if (!firstRender) (document.getElementById('page-title') ?? main).focus();
  firstRender = false;
};

document.addEventListener('click', (event) => {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const link = (event.target as Element | null)?.closest?.('a');
  if (link === null || link === undefined || link.hasAttribute('download') || link.target !== '') return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !(url.pathname in routes)) return;
  event.preventDefault();
  navigate(url.pathname);
});
window.addEventListener('popstate', () => void render());

initLang();
void render();
