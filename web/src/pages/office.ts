import { api, type Member, type OfficePolicy } from '../api.ts';
import type { Page } from '../context.ts';
import { formatDeadline, parseDeadline, timeZoneName } from '../deadline-text.ts';
import { h, replace, uid } from '../dom.ts';
import { dateParam, lang, type MessageKey, onLangChange, t, tx } from '../i18n.ts';
import { alertBox, breadcrumb, button, onSubmit, pageHeading, statusBox } from '../ui.ts';
import { notForYou, signInFirst } from './common.ts';
import { campaignPanel, compliancePanel } from './office-compliance.ts';
import { trustBrowserDaysField } from './office-trust-field.ts';

/** The value of a datetime-local input for an instant, in the browser's time zone. */
export const toLocalInput = (iso: string | null): string => {
  if (iso === null) return '';
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
};

/** A datetime-local value (browser time zone) as an ISO instant; empty stays undefined. */
export const fromLocalInput = (value: string): string | undefined =>
  value === '' ? undefined : new Date(value).toISOString();

/** Instellingen > Kantoor > Beveiliging: 'Twee-factor-authenticatie verplichten' and who still has to enrol. */
export const officePage: Page = async (context) => {
  const user = context.user;
  if (user === null) return signInFirst();
  if (user.role !== 'office-admin') return notForYou('office.title', 'office.only');
  let { policy, etag } = await api.officePolicy(user.officeId);

  const alert = alertBox();
  const saved = statusBox();
  const stateText = h('p', { class: 'state', id: 'policy-state' });
  const officeName = h('p', { class: 'office-name' });
  const requireId = uid('require');
  const required = h('input', { type: 'checkbox', id: requireId, name: 'required' });
  const deadlineId = uid('deadline');
  // A text field in the page's own date format: a datetime-local input shows the browser's format
  // (mm/dd/yyyy on an English browser), whatever the page's language.
  const deadline = h('input', {
    type: 'text',
    id: deadlineId,
    name: 'enforceFrom',
    inputmode: 'numeric',
    autocomplete: 'off',
    'aria-describedby': `${deadlineId}-hint`,
  });
  const formatText = () => t('office.deadlineFormat');
  onLangChange(() => {
    // Keep what was typed, rewritten in the format of the new language.
    const typed = parseDeadline(deadline.value);
    if (typed !== 'invalid') deadline.value = formatDeadline(typed, lang());
    deadline.placeholder = formatText();
  });
  const deadlineField = h(
    'div',
    { class: 'field' },
    h('label', { for: deadlineId }, tx('office.deadline')),
    h(
      'p',
      { class: 'hint', id: `${deadlineId}-hint` },
      tx('office.deadlineHint', { format: formatText, zone: timeZoneName() }),
    ),
    deadline,
  );
  const members = h('div', { id: 'members' });
  const trust = trustBrowserDaysField();

  const show = (next: OfficePolicy) => {
    policy = next;
    required.checked = next.required;
    deadline.value = formatDeadline(next.enforceFrom, lang());
    deadline.disabled = !next.required;
    trust.show(next.trustBrowserDays);
    const stateKey: MessageKey = !next.required
      ? 'office.stateOptional'
      : next.enforceFrom !== null && new Date(next.enforceFrom).getTime() > Date.now()
        ? 'office.stateRequiredFrom'
        : 'office.stateRequired';
    replace(stateText, tx(stateKey, next.enforceFrom === null ? {} : { date: dateParam(next.enforceFrom) }));
    replace(officeName, tx('office.name', { name: next.name }));
  };
  required.addEventListener('change', () => {
    deadline.disabled = !required.checked;
  });

  const form = h(
    'form',
    { class: 'panel', novalidate: true, 'aria-labelledby': 'policy-title' },
    h('h2', { id: 'policy-title' }, tx('office.policy')),
    stateText,
    h('div', { class: 'choice' }, required, h('label', { for: requireId }, tx('office.require'))),
    deadlineField,
    trust.wrapper,
    alert.element,
    saved.element,
    button('office.save', { class: 'primary' }),
  );
  onSubmit(form, alert, async () => {
    saved.clear();
    const enforceFrom = required.checked ? parseDeadline(deadline.value) : null;
    if (enforceFrom === 'invalid') {
      alert.showKey('error.deadlineFormat', {
        format: formatText,
        example: () => formatDeadline(new Date(Date.now() + 7 * 86_400_000).toISOString(), lang()),
      });
      deadline.focus();
      return;
    }
    // A new deadline in the past: say so here (the service refuses it too); the one in force may stay.
    if (enforceFrom !== null && enforceFrom !== policy.enforceFrom && Date.parse(enforceFrom) <= Date.now()) {
      alert.showKey('error.enforce-from-in-past');
      deadline.focus();
      return;
    }
    const trustBrowserDays = trust.value();
    if (trustBrowserDays === null) {
      alert.showKey('office.trustHint');
      trust.input.focus();
      return;
    }
    try {
      const answer = await api.setOfficePolicy(
        user.officeId,
        { required: required.checked, enforceFrom, trustBrowserDays },
        etag,
      );
      etag = answer.etag;
      show(answer.policy);
      saved.show('office.saved');
      await loadMembers(members, user.officeId, policy);
    } catch (error) {
      // Another admin changed it meanwhile (412): show their version before anything else.
      const fresh = await api.officePolicy(user.officeId).catch(() => null);
      if (fresh !== null) {
        etag = fresh.etag;
        show(fresh.policy);
      }
      throw error;
    }
  });

  show(policy);
  await loadMembers(members, user.officeId, policy);
  const campaign = campaignPanel(user.officeId, async () => compliance.load());
  const compliance = compliancePanel(user.officeId, campaign.show);
  await compliance.load();
  return h(
    'div',
    {},
    breadcrumb('office.crumb'),
    pageHeading('office.title'),
    officeName,
    h('p', {}, tx('office.intro')),
    h('p', { class: 'notice' }, tx('office.context'), ' ', h('a', { href: '/help' }, tx('office.helpLink'))),
    form,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'members-title' },
      h('h2', { id: 'members-title' }, tx('office.members')),
      members,
    ),
    campaign.section,
    compliance.section,
  );
};

const loadMembers = async (container: HTMLElement, officeId: string, policy: OfficePolicy) => {
  const all: Member[] = [];
  const summary = h('p', { id: 'members-summary' });
  const tbody = h('tbody', {});
  const more = h('button', { type: 'button' }, tx('office.more'));
  const alert = alertBox();
  let next: string | null = null;
  const load = async (after: string | null) => {
    const page = await api.members(officeId, after);
    all.push(...page.items);
    next = page.next;
    for (const member of page.items) tbody.appendChild(row(member, policy.required));
    more.hidden = next === null;
    const missing = all.filter((member) => member.twoFactor !== 'enrolled').length;
    replace(
      summary,
      tx(
        `${policy.required ? 'office.pendingCount' : 'office.notEnrolledCount'}.${missing === 1 ? 'one' : 'other'}`,
        {
          count: missing,
          total: all.length,
        },
      ),
    );
  };
  more.addEventListener('click', () => {
    alert.clear();
    load(next).catch(alert.show);
  });
  await load(null);
  replace(
    container,
    summary,
    h(
      'table',
      { class: 'list' },
      h('caption', { class: 'visually-hidden' }, tx('office.members')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, tx('office.colUser')),
          h('th', { scope: 'col' }, tx('office.colRole')),
          h('th', { scope: 'col' }, tx('office.colStatus')),
        ),
      ),
      tbody,
    ),
    alert.element,
    more,
  );
};

const row = (member: Member, required: boolean) =>
  h(
    'tr',
    { 'data-username': member.username },
    h('th', { scope: 'row' }, member.username),
    h('td', {}, tx(`role.${member.role}`)),
    h(
      'td',
      { class: member.twoFactor === 'enrolled' ? 'ok' : required ? 'todo' : '' },
      member.twoFactor === 'enrolled' && member.enrolledAt !== null
        ? tx('office.enrolledAt', { date: dateParam(member.enrolledAt) })
        : tx(required ? 'office.mustEnrol' : 'office.notEnrolled'),
    ),
  );
