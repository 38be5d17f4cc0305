import { api, type TwoFactorStatus } from '../api.ts';
import type { Page, PageContext } from '../context.ts';
import { h, replace } from '../dom.ts';
import { dateParam, type MessageKey, tx } from '../i18n.ts';
import {
  alertBox,
  breadcrumb,
  button,
  codeField,
  digits,
  enrolmentForm,
  inputField,
  onSubmit,
  pageHeading,
  proofFieldset,
  recoveryCodesPanel,
  statusBox,
} from '../ui.ts';
import { signInFirst } from './common.ts';
import { trustedBrowsersSection } from './trusted-browsers.ts';

/** Instellingen > Account > Beveiliging: the user's own 2FA. */
export const accountPage: Page = async (context) => {
  if (context.user === null) return signInFirst();
  const body = h('div', {});
  const page = h(
    'div',
    {},
    breadcrumb('account.crumb'),
    pageHeading('account.title'),
    h('p', {}, tx('account.intro')),
    body,
  );
  await render(body, context, await api.twoFactor());
  return page;
};

const render = async (
  body: HTMLElement,
  context: PageContext,
  status: TwoFactorStatus,
  flash?: HTMLElement,
) => {
  const username = context.user?.username ?? '';
  const reload = async (message?: HTMLElement) => render(body, context, await api.twoFactor(), message);
  let summary = summaryPanel(status);
  const refreshSummary = async () => {
    const fresh = summaryPanel(await api.twoFactor());
    summary.replaceWith(fresh);
    summary = fresh;
  };
  replace(
    body,
    flash ?? null,
    summary,
    status.enabled
      ? [
          status.reenrollmentDeadline === null ? null : setupSection(username, reload, refreshSummary),
          regenerateSection(username, refreshSummary),
          trustedBrowsersSection(),
          disableSection(status, reload),
        ]
      : setupSection(username, reload, refreshSummary),
    passwordSection(status.enabled),
  );
};

const summaryPanel = (status: TwoFactorStatus) =>
  h(
    'section',
    { class: 'panel', 'aria-labelledby': 'status-title' },
    h('h2', { id: 'status-title' }, tx('app.title')),
    h(
      'p',
      { class: status.enabled ? 'state on' : 'state off', id: 'two-factor-state' },
      status.enabled && status.enrolledAt !== null
        ? tx('account.statusOn', { date: dateParam(status.enrolledAt) })
        : tx('account.statusOff'),
    ),
    requirementNote(status),
    status.enabled ? h('p', {}, tx('account.codesLeft', { count: status.recoveryCodesLeft })) : null,
  );

const requirementNote = (status: TwoFactorStatus) => {
  if (status.reenrollmentDeadline !== null)
    return h(
      'p',
      { class: 'notice', id: 'reenrol-reminder' },
      tx('account.reenrolBy', { date: dateParam(status.reenrollmentDeadline) }),
    );
  if (!status.requiredByOffice) return null;
  const future = status.enforceFrom !== null && new Date(status.enforceFrom).getTime() > Date.now();
  return h(
    'p',
    { class: 'notice' },
    future && status.enforceFrom !== null && !status.enabled
      ? tx('account.requiredFrom', { date: dateParam(status.enforceFrom) })
      : tx('account.requiredNow'),
    ' ',
    h('a', { href: '/help' }, tx('enrol.helpLink')),
  );
};

/** Stap 1–5 of the help article: password as fresh proof, QR code, code, 'Registreer…'. */
const setupSection = (
  username: string,
  reload: (flash?: HTMLElement) => Promise<void>,
  refreshSummary: () => Promise<void>,
) => {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'setup-title' });
  const alert = alertBox();
  const password = inputField({
    name: 'password',
    label: 'login.password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const start = h(
    'form',
    { novalidate: true },
    h('p', {}, tx('enrol.passwordIntro')),
    password.wrapper,
    alert.element,
    button('enrol.start', { class: 'primary' }),
  );
  onSubmit(start, alert, async () => {
    const started = await api.startEnrollment({ password: password.input.value });
    const { form, codeInput } = enrolmentForm(started, async (code) => {
      const confirmed = await api.confirmEnrollment({ enrollmentId: started.enrollmentId, code });
      const done = h('p', { class: 'success' }, tx('enrol.done'));
      const codes = recoveryCodesPanel(confirmed.recoveryCodes, username, () => void reload());
      replace(section, h('h2', { id: 'setup-title' }, tx('enrol.doneTitle')), done, codes.panel);
      codes.heading.focus();
      await refreshSummary();
    });
    replace(section, h('h2', { id: 'setup-title' }, tx('enrol.title')), form);
    codeInput.focus();
  });
  replace(section, h('h2', { id: 'setup-title' }, tx('enrol.title')), start);
  return section;
};

const regenerateSection = (username: string, refreshSummary: () => Promise<void>) => {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'regen-title' });
  const alert = alertBox();
  const proof = proofFieldset();
  const result = h('div', {});
  const form = h(
    'form',
    { novalidate: true },
    h('p', {}, tx('account.regenIntro')),
    proof.fieldset,
    alert.element,
    button('account.regenSubmit'),
  );
  onSubmit(form, alert, async () => {
    const given = proof.value();
    if (given === null) {
      alert.showKey('error.codeFormat');
      return;
    }
    const { recoveryCodes } = await api.regenerateRecoveryCodes(given);
    proof.clear();
    const codes = recoveryCodesPanel(recoveryCodes, username);
    replace(result, codes.panel);
    codes.heading.focus();
    await refreshSummary();
  });
  replace(section, h('h2', { id: 'regen-title' }, tx('account.regenTitle')), form, result);
  return section;
};

/** 'Wachtwoord wijzigen': the current password, the new one twice, and a code when 2FA is on. */
const passwordSection = (enrolled: boolean) => {
  const alert = alertBox();
  const done = statusBox();
  const field = (name: string, label: MessageKey, autocomplete: string, hint?: MessageKey) =>
    inputField({ name, label, type: 'password', autocomplete, ...(hint === undefined ? {} : { hint }) });
  const current = field('current-password', 'password.current', 'current-password');
  const fresh = field('new-password', 'password.new', 'new-password', 'password.newHint');
  const repeat = field('repeat-password', 'password.repeat', 'new-password');
  const code = enrolled ? codeField('password-code', 'password.code') : null;
  const form = h(
    'form',
    { novalidate: true },
    h('p', {}, tx('password.intro')),
    current.wrapper,
    fresh.wrapper,
    repeat.wrapper,
    code?.wrapper ?? null,
    alert.element,
    button('password.submit'),
  );
  onSubmit(form, alert, async () => {
    done.clear();
    if (fresh.input.value !== repeat.input.value) {
      alert.showKey('error.passwordMismatch');
      return;
    }
    const typed = code === null ? '' : digits(code.input.value);
    if (code !== null && typed.length !== 6) {
      alert.showKey('error.codeFormat');
      return;
    }
    await api.changePassword({
      currentPassword: current.input.value,
      newPassword: fresh.input.value,
      ...(code === null ? {} : { code: typed }),
    });
    for (const input of [current.input, fresh.input, repeat.input, code?.input])
      if (input !== undefined) input.value = '';
    done.show('password.changed');
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'password-title' },
    h('h2', { id: 'password-title' }, tx('password.title')),
    form,
    done.element,
  );
};

/** 'Twee-factor-authenticatie uitschakelen', or why it cannot be while the office requires it. */
const disableSection = (status: TwoFactorStatus, reload: (flash?: HTMLElement) => Promise<void>) => {
  const heading = h('h2', { id: 'disable-title' }, tx('account.disableTitle'));
  if (!status.canDisable) {
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'disable-title' },
      heading,
      h('p', { class: 'notice', id: 'disable-refused' }, tx('account.disableRequired')),
    );
  }
  const alert = alertBox();
  const proof = proofFieldset();
  const form = h(
    'form',
    { novalidate: true },
    h('p', {}, tx('account.disableIntro')),
    proof.fieldset,
    alert.element,
    button('account.disableSubmit', { class: 'danger' }),
  );
  onSubmit(form, alert, async () => {
    const given = proof.value();
    if (given === null) {
      alert.showKey('error.codeFormat');
      return;
    }
    await api.disableTwoFactor(given);
    const done = statusBox();
    await reload(done.element);
    done.show('account.disabled');
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'disable-title' }, heading, form);
};
