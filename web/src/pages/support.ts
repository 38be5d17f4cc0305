import { type AwaitingApproval, api, isAwaitingApproval, ProblemError, type SupportUser } from '../api.ts';
import type { Page } from '../context.ts';
import { h, replace, uid } from '../dom.ts';
import { dateParam, type MessageKey, tx } from '../i18n.ts';
import {
  alertBox,
  button,
  dateNode,
  definitionList,
  inputField,
  onSubmit,
  pageHeading,
  statusBox,
} from '../ui.ts';
import { notForYou, signInFirst } from './common.ts';
import { supportRequestsPanel } from './support-requests.ts';

/**
 * Support: find a user and reset their 2FA or give a temporary code (lost authenticator), lift a freeze,
 * or erase them on their request; each with a reason and a ticket, erasing only after the username is
 * typed again. Under four-eyes those three wait for a second agent, in the requests panel on top.
 */
export const supportPage: Page = (context) => {
  if (context.user === null) return signInFirst();
  if (context.user.role !== 'support') return notForYou('support.title', 'support.only');
  const alert = alertBox();
  const username = inputField({
    name: 'username',
    label: 'support.username',
    extra: { spellcheck: 'false' },
  });
  const result = h('div', { id: 'support-result' });
  const requests = supportRequestsPanel(context.user.userId);
  void requests.refresh();
  const find = h(
    'form',
    { class: 'panel', novalidate: true, role: 'search', 'aria-labelledby': 'find-title' },
    h('h2', { id: 'find-title' }, tx('support.findTitle')),
    username.wrapper,
    alert.element,
    button('support.find', { class: 'primary' }),
  );
  const erased = (user: SupportUser, erasedAt: string) => {
    const heading = h(
      'h2',
      { id: 'erased-title', tabindex: '-1' },
      tx('support.erasedTitle', { name: user.username }),
    );
    const done = statusBox();
    done.element.classList.add('success');
    replace(
      result,
      h(
        'section',
        { class: 'panel', id: 'erased', 'aria-labelledby': 'erased-title' },
        heading,
        done.element,
        definitionList([
          ['support.userId', h('code', {}, user.userId)],
          ['support.erasedAt', dateNode(erasedAt)],
        ]),
      ),
    );
    done.show('support.erased', { name: user.username, date: dateParam(erasedAt) });
    context.focus(heading);
  };
  /** After an action that now awaits approval: the user as they still are, and the list with it. */
  const requested = async (user: SupportUser, answer: AwaitingApproval) => {
    const done = successBox();
    await show(user.username, done.element);
    done.show('support.awaitingApproval', { date: dateParam(answer.expiresAt) });
    await requests.refresh();
  };
  const show = async (name: string, flash?: HTMLElement) => {
    const user = await api.findUser(name);
    replace(
      result,
      flash ?? null,
      details(user),
      ...actionForms(user, show, requested),
      eraseForm(user, erased, requested),
    );
  };
  onSubmit(find, alert, async () => {
    replace(result);
    try {
      await show(username.input.value.trim());
    } catch (error) {
      // An unknown username is answered with a plain 404: say what it means here.
      if (error instanceof ProblemError && error.problem.status === 404)
        alert.showKey('error.user-not-found');
      else throw error;
    }
  });
  return h(
    'div',
    {},
    pageHeading('support.title'),
    h('p', {}, tx('support.intro')),
    requests.element,
    find,
    result,
  );
};

const details = (user: SupportUser) =>
  h(
    'section',
    { class: 'panel', 'aria-labelledby': 'user-title' },
    h('h2', { id: 'user-title' }, tx('support.userTitle', { name: user.username })),
    definitionList([
      ['support.userId', h('code', {}, user.userId)],
      ['support.officeId', h('code', {}, user.officeId)],
      ['support.role', tx(`role.${user.role}`)],
      [
        'support.twoFactor',
        user.twoFactor === 'enrolled' && user.enrolledAt !== null
          ? tx('support.enrolledSince', { date: dateParam(user.enrolledAt) })
          : tx('support.notEnrolled'),
      ],
      [
        'support.lockedUntil',
        user.lockedUntil === null ? tx('support.notLocked') : dateNode(user.lockedUntil),
      ],
      ['support.officeRequires', tx(user.officeRequiresTwoFactor ? 'common.yes' : 'common.no')],
      [
        'support.temporaryUntil',
        user.temporaryAccessUntil === null ? tx('support.noTemporary') : dateNode(user.temporaryAccessUntil),
      ],
      [
        'support.frozen',
        h(
          'span',
          { id: 'frozen-flag', class: user.frozen ? 'flag danger' : '' },
          tx(user.frozen ? 'support.frozenYes' : 'common.no'),
        ),
      ],
    ]),
  );

type Reload = (name: string, flash?: HTMLElement) => Promise<void>;
type Requested = (user: SupportUser, answer: AwaitingApproval) => Promise<void>;

/** A support action on a user: a reason and a ticket for the audit history, then one button. */
const supportActionForm = (
  name: string,
  keys: { title: MessageKey; submit: MessageKey; intro?: MessageKey },
  run: (body: { reason: string; ticket: string }) => Promise<void>,
  buttonClass = 'danger',
) => {
  const alert = alertBox();
  const reasonId = uid(`${name}-reason`);
  const titleId = `${name}-title`;
  const reason = h('textarea', {
    id: reasonId,
    name: `${name}-reason`,
    rows: '3',
    required: true,
    maxlength: '1000',
    'aria-describedby': `${reasonId}-hint`,
  });
  const ticket = inputField({ name: `${name}-ticket`, label: 'support.ticket', extra: { maxlength: '200' } });
  const form = h(
    'form',
    { class: 'panel', id: `${name}-form`, novalidate: true, 'aria-labelledby': titleId },
    h('h2', { id: titleId }, tx(keys.title)),
    keys.intro === undefined ? null : h('p', {}, tx(keys.intro)),
    h(
      'div',
      { class: 'field' },
      h('label', { for: reasonId }, tx('support.reason')),
      h('p', { class: 'hint', id: `${reasonId}-hint` }, tx('support.reasonHint')),
      reason,
    ),
    ticket.wrapper,
    alert.element,
    button(keys.submit, { class: buttonClass }),
  );
  onSubmit(form, alert, () => run({ reason: reason.value, ticket: ticket.input.value }));
  return form;
};

const successBox = () => {
  const done = statusBox();
  done.element.classList.add('success');
  return done;
};

const resetForm = (user: SupportUser, reload: Reload, requested: Requested) =>
  supportActionForm('reset', { title: 'support.resetTitle', submit: 'support.reset' }, async (body) => {
    const answer = await api.supportReset(user.userId, body);
    if (isAwaitingApproval(answer)) return requested(user, answer);
    const done = successBox();
    await reload(user.username, done.element);
    done.show(answer.nextLogin === 'enrollment-required' ? 'support.resetEnrol' : 'support.resetPassword', {
      name: user.username,
    });
  });

/** A temporary code for a lost phone: shown here once, for the agent to read to the user. */
const temporaryAccessForm = (user: SupportUser, reload: Reload, requested: Requested) =>
  supportActionForm(
    'temporary',
    { title: 'support.temporaryTitle', submit: 'support.temporaryIssue', intro: 'support.temporaryIntro' },
    async (body) => {
      const answer = await api.issueTemporaryAccess(user.userId, body);
      if (isAwaitingApproval(answer)) return requested(user, answer);
      const shown = h(
        'div',
        { class: 'notice success', id: 'temporary-code-shown', role: 'status' },
        h('p', {}, tx('support.temporaryIssued', { name: user.username, date: dateParam(answer.expiresAt) })),
        h('p', {}, h('code', { id: 'temporary-code', class: 'code' }, answer.code)),
        h('p', { class: 'hint' }, tx('support.temporaryOnce')),
      );
      await reload(user.username, shown);
    },
    'primary',
  );

const endTemporaryForm = (user: SupportUser, reload: Reload) =>
  supportActionForm('end-temporary', { title: 'support.endTitle', submit: 'support.end' }, async (body) => {
    await api.endTemporaryAccess(user.userId, body);
    const done = successBox();
    await reload(user.username, done.element);
    done.show('support.ended', { name: user.username });
  });

const unfreezeForm = (user: SupportUser, reload: Reload) =>
  supportActionForm(
    'unfreeze',
    { title: 'support.unfreezeTitle', submit: 'support.unfreeze', intro: 'support.unfreezeIntro' },
    async (body) => {
      await api.unfreeze(user.userId, body);
      const done = successBox();
      await reload(user.username, done.element);
      done.show('support.unfrozen', { name: user.username });
    },
  );

/** While frozen only the lift is offered; otherwise a reset, a temporary code, and ending an open one. */
const actionForms = (user: SupportUser, reload: Reload, requested: Requested) =>
  user.frozen
    ? [unfreezeForm(user, reload)]
    : [
        resetForm(user, reload, requested),
        temporaryAccessForm(user, reload, requested),
        user.temporaryAccessUntil === null ? null : endTemporaryForm(user, reload),
      ];

/** Erasing a user for good: a warning, reason and ticket, and the username typed again before anything is sent. */
const eraseForm = (
  user: SupportUser,
  done: (user: SupportUser, erasedAt: string) => void,
  requested: Requested,
) => {
  const alert = alertBox();
  const reasonId = uid('erase-reason');
  const warningId = uid('erase-warning');
  const reason = h('textarea', {
    id: reasonId,
    name: 'erase-reason',
    rows: '3',
    required: true,
    maxlength: '1000',
    'aria-describedby': `${reasonId}-hint`,
  });
  const ticket = inputField({ name: 'erase-ticket', label: 'support.ticket', extra: { maxlength: '200' } });
  const confirmation = inputField({
    name: 'erase-confirm',
    label: 'support.eraseConfirm',
    labelParams: { name: user.username },
    hint: 'support.eraseConfirmHint',
    extra: { spellcheck: 'false', autocapitalize: 'none' },
  });
  const form = h(
    'form',
    { class: 'panel erase', novalidate: true, 'aria-labelledby': 'erase-title' },
    h('h2', { id: 'erase-title' }, tx('support.eraseTitle')),
    h(
      'div',
      { class: 'notice danger', id: warningId },
      h('p', {}, h('strong', {}, tx('support.eraseWarning'))),
      h('p', {}, tx('support.eraseWhat', { name: user.username })),
      h('p', {}, tx('support.eraseWhen')),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: reasonId }, tx('support.reason')),
      h('p', { class: 'hint', id: `${reasonId}-hint` }, tx('support.eraseReasonHint')),
      reason,
    ),
    ticket.wrapper,
    confirmation.wrapper,
    alert.element,
    button('support.erase', { class: 'danger', 'aria-describedby': warningId }),
  );
  onSubmit(form, alert, async () => {
    if (confirmation.input.value.trim() !== user.username) {
      alert.showKey('error.eraseConfirm', { name: user.username });
      confirmation.input.focus();
      return;
    }
    let answer: Awaited<ReturnType<typeof api.eraseUser>>;
    try {
      answer = await api.eraseUser(user.userId, { reason: reason.value, ticket: ticket.input.value });
    } catch (error) {
      // A 404 here means the user is gone since the search: say so rather than a bare "not found".
      if (error instanceof ProblemError && error.problem.status === 404) {
        alert.showKey('error.eraseGone');
        return;
      }
      throw error;
    }
    if (isAwaitingApproval(answer)) await requested(user, answer);
    else done(user, answer.erasedAt);
  });
  return form;
};
