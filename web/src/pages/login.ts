import { api, type LoginAnswer } from '../api.ts';
import type { Page, PageContext } from '../context.ts';
import { h, replace, uid } from '../dom.ts';
import { dateParam, tx } from '../i18n.ts';
import {
  alertBox,
  button,
  codeField,
  digits,
  enrolmentForm,
  inputField,
  onSubmit,
  pageHeading,
  recoveryCodesPanel,
} from '../ui.ts';

export const afterLoginPath = '/account/security';

/** Step 1: username and password. */
export const loginPage: Page = (context) => {
  if (context.user !== null) {
    queueMicrotask(() => context.navigate(afterLoginPath));
    return h('p', {}, tx('common.loading'));
  }
  const container = h('div', { class: 'login' });
  showPasswordStep(container, context);
  return container;
};

const showPasswordStep = (container: HTMLElement, context: PageContext) => {
  const alert = alertBox();
  const username = inputField({ name: 'username', label: 'login.username', autocomplete: 'username' });
  const password = inputField({
    name: 'password',
    label: 'login.password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const form = h(
    'form',
    { class: 'panel', novalidate: true },
    h('p', {}, tx('login.intro')),
    username.wrapper,
    password.wrapper,
    alert.element,
    button('login.submit', { class: 'primary' }),
  );
  onSubmit(form, alert, async () => {
    const answer = await api.login({ username: username.input.value, password: password.input.value });
    password.input.value = '';
    await continueLogin(answer, container, context);
  });
  replace(container, pageHeading('login.title'), form, troubleNote());
};

const troubleNote = () =>
  h('p', { class: 'hint' }, tx('login.trouble'), ' ', h('a', { href: '/help' }, tx('enrol.helpLink')));

const continueLogin = async (
  answer: LoginAnswer,
  container: HTMLElement,
  context: PageContext,
  reason: EnrolmentReason = 'office',
) => {
  if (answer.status === 'authenticated') return context.navigate(afterLoginPath);
  if (answer.status === 'second-factor-required')
    return showCodeStep(
      container,
      context,
      answer.challenge,
      answer.trustBrowserDays ?? 0,
      answer.reenrollmentDeadline,
    );
  return showEnrolmentStep(container, context, answer.challenge, reason);
};

/** Step 2: 'Twee-factor authenticatie token' (or a recovery code). */
const showCodeStep = (
  container: HTMLElement,
  context: PageContext,
  challenge: string,
  trustBrowserDays: number,
  reenrollmentDeadline?: string,
) => {
  const alert = alertBox();
  const trust = trustBrowserDays > 0 ? trustBrowserField(trustBrowserDays) : null;
  const code = codeField('code', 'login.codeLabel', 'login.codeHint');
  const recovery = inputField({
    name: 'recoveryCode',
    label: 'login.recoveryLabel',
    hint: 'login.recoveryHint',
    autocomplete: 'one-time-code',
    required: false,
    extra: { spellcheck: 'false' },
  });
  recovery.wrapper.hidden = true;
  const temporary = inputField({
    name: 'temporaryCode',
    label: 'login.temporaryLabel',
    hint: 'login.temporaryHint',
    autocomplete: 'off',
    required: false,
    extra: { spellcheck: 'false' },
  });
  temporary.wrapper.hidden = true;
  const useTemporary = h(
    'button',
    { type: 'button', class: 'link', id: 'use-temporary' },
    tx('login.useTemporary'),
  );
  useTemporary.addEventListener('click', () => {
    code.wrapper.hidden = true;
    recovery.wrapper.hidden = true;
    temporary.wrapper.hidden = false;
    alert.clear();
    temporary.input.focus();
  });
  const toggle = h('button', { type: 'button', class: 'link' });
  const setMode = (useRecovery: boolean) => {
    temporary.wrapper.hidden = true;
    code.wrapper.hidden = useRecovery;
    recovery.wrapper.hidden = !useRecovery;
    replace(toggle, tx(useRecovery ? 'login.useCode' : 'login.useRecovery'));
  };
  setMode(false);
  toggle.addEventListener('click', () => {
    setMode(!code.wrapper.hidden);
    alert.clear();
    (code.wrapper.hidden ? recovery.input : code.input).focus();
  });
  const form = h(
    'form',
    { class: 'panel', novalidate: true },
    reenrollmentDeadline === undefined
      ? null
      : h(
          'p',
          { class: 'notice', id: 'reenrol-reminder' },
          tx(Date.parse(reenrollmentDeadline) <= Date.now() ? 'login.reenrolNow' : 'login.reenrolBy', {
            date: dateParam(reenrollmentDeadline),
          }),
        ),
    h('p', {}, tx('login.codeIntro')),
    code.wrapper,
    recovery.wrapper,
    temporary.wrapper,
    trust?.wrapper ?? null,
    alert.element,
    h('div', { class: 'actions' }, button('login.verify', { class: 'primary' }), toggle, useTemporary),
  );
  onSubmit(form, alert, async () => {
    if (!temporary.wrapper.hidden) {
      // Support's temporary code stands in for the app; the service then asks for a new enrolment.
      const answer = await api.secondFactor({ challenge, code: temporary.input.value.trim() });
      temporary.input.value = '';
      return continueLogin(answer, container, context, 'temporary-access');
    }
    const useRecovery = code.wrapper.hidden;
    const typed = digits(code.input.value);
    if (!useRecovery && typed.length !== 6) {
      alert.showKey('error.codeFormat');
      code.input.focus();
      return;
    }
    try {
      const trustBrowser = trust?.input.checked === true ? { trustBrowser: true } : {};
      const answer = await api.secondFactor(
        useRecovery
          ? { challenge, recoveryCode: recovery.input.value.trim(), ...trustBrowser }
          : { challenge, code: typed, ...trustBrowser },
      );
      await continueLogin(answer, container, context);
    } catch (error) {
      code.input.value = '';
      (useRecovery ? recovery.input : code.input).focus();
      throw error;
    }
  });
  const startOver = h(
    'p',
    {},
    h(
      'button',
      { type: 'button', class: 'link', onclick: () => showPasswordStep(container, context) },
      tx('login.startOver'),
    ),
  );
  replace(container, pageHeading('login.codeTitle'), form, startOver, troubleNote());
  code.input.focus();
};

/** Why a login is held back for an enrolment: the office requires 2FA, or a temporary code was used. */
type EnrolmentReason = 'office' | 'temporary-access';

/** Held back at login: enrol (the office requires 2FA, or the temporary code from support stood in). */
const showEnrolmentStep = async (
  container: HTMLElement,
  context: PageContext,
  challenge: string,
  reason: EnrolmentReason,
) => {
  const started = await api.startEnrollment({ challenge });
  const temporary = reason === 'temporary-access';
  const heading = pageHeading(temporary ? 'enrol.afterTemporaryTitle' : 'enrol.requiredTitle');
  const { form } = enrolmentForm(started, async (code) => {
    const confirmed = await api.confirmEnrollment({ enrollmentId: started.enrollmentId, code, challenge });
    const done = h('p', { class: 'success' }, tx('enrol.done'));
    const { panel, heading: codesHeading } = recoveryCodesPanel(
      confirmed.recoveryCodes,
      confirmed.user?.username ?? '',
      () => context.navigate(afterLoginPath),
    );
    panel.classList.add('wide');
    replace(container, pageHeading('enrol.doneTitle'), done, panel);
    context.focus(codesHeading);
  });
  replace(
    container,
    heading,
    h(
      'div',
      { class: 'notice', id: 'enrol-why' },
      h('p', {}, tx(temporary ? 'enrol.afterTemporaryWhy' : 'enrol.requiredWhy')),
      h('p', {}, h('a', { href: '/help' }, tx('enrol.helpLink'))),
    ),
    h(
      'section',
      { class: 'panel wide', 'aria-labelledby': 'enrol-title' },
      h('h2', { id: 'enrol-title' }, tx('enrol.title')),
      form,
    ),
  );
  context.focus(heading);
};

/** "Vertrouw deze browser N dagen": offered with the code where the office allows it, never ticked for you. */
const trustBrowserField = (days: number) => {
  const id = uid('trust-browser');
  const input = h('input', { type: 'checkbox', id, name: 'trustBrowser', 'aria-describedby': `${id}-hint` });
  const wrapper = h(
    'div',
    { class: 'field checkbox' },
    input,
    h('label', { for: id }, tx('trust.remember', { days: String(days) })),
    h('p', { class: 'hint', id: `${id}-hint` }, tx('trust.rememberHint')),
  );
  return { wrapper, input: input as HTMLInputElement };
};
