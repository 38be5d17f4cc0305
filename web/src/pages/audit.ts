import { type AuditEvent, type AuditFilter, api, type OfficeStateAt, type UserStateAt } from '../api.ts';
import type { Page } from '../context.ts';
import { field, h, replace, uid } from '../dom.ts';
import { bindAttr, dateParam, tx } from '../i18n.ts';
import { alertBox, button, dateNode, definitionList, onSubmit, pageHeading } from '../ui.ts';
import { notForYou, signInFirst } from './common.ts';
import { fromLocalInput, toLocalInput } from './office.ts';

const eventTypes = [
  'OfficeRegistered',
  'OfficeTwoFactorRequired',
  'OfficeTwoFactorRequirementLifted',
  'UserRegistered',
  'UsernameReserved',
  'UserRoleChanged',
  'PasswordChanged',
  'TotpEnrollmentStarted',
  'TotpEnrolled',
  'TotpDisabled',
  'SupportReset',
  'RecoveryCodesIssued',
  'RecoveryCodeUsed',
  'SecondFactorVerified',
  'SecondFactorRejected',
  'SecondFactorLockedOut',
];

/** Auditors (and support): the filterable history, its export, and any state at a chosen moment. */
export const auditPage: Page = async (context) => {
  const user = context.user;
  if (user === null) return signInFirst();
  if (user.role !== 'auditor' && user.role !== 'support') return notForYou('audit.title', 'audit.only');

  const userState = stateForm('user');
  const officeState = stateForm('office');
  const history = historySection((event) => {
    const at = new Date(Math.ceil(new Date(event.occurredAt).getTime() / 1000) * 1000).toISOString();
    const userId = /^user-(?:security-)?(.+)$/.exec(event.streamId)?.[1];
    const officeId = /^office-(.+)$/.exec(event.streamId)?.[1];
    if (userId !== undefined) userState.fill(userId, at);
    else if (officeId !== undefined) officeState.fill(officeId, at);
  });
  await history.search({});
  return h(
    'div',
    {},
    pageHeading('audit.title'),
    h('p', {}, tx('audit.intro')),
    history.element,
    userState.element,
    officeState.element,
  );
};

const textField = (
  name: string,
  label: Parameters<typeof tx>[0],
  type = 'text',
  extra: Record<string, string> = {},
) => {
  const id = uid(name);
  const input = h('input', { id, name, type, autocomplete: 'off', spellcheck: 'false', ...extra });
  return { wrapper: h('div', { class: 'field' }, h('label', { for: id }, tx(label)), input), input };
};

const historySection = (onShowState: (event: AuditEvent) => void) => {
  const alert = alertBox();
  const userId = textField('userId', 'audit.userId');
  const officeId = textField('officeId', 'audit.officeId');
  const listId = uid('event-types');
  const type = textField('type', 'audit.type', 'text', { list: listId });
  const from = textField('from', 'audit.from', 'datetime-local', { step: '1' });
  const to = textField('to', 'audit.to', 'datetime-local', { step: '1' });
  const exportLink = h(
    'a',
    { class: 'button', id: 'audit-export', download: 'audit-events.ndjson' },
    tx('audit.export'),
  );
  const count = h('p', { id: 'audit-count', role: 'status' });
  const tbody = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, tx('audit.more'));
  let filter: AuditFilter = {};
  let next: string | null = null;
  let shown = 0;

  const load = async (after: string | null) => {
    const page = await api.auditEvents(filter, after);
    if (after === null) {
      replace(tbody);
      shown = 0;
    }
    for (const event of page.items) tbody.appendChild(eventRow(event, onShowState));
    shown += page.items.length;
    next = page.next;
    more.hidden = next === null;
    replace(count, tx(shown === 0 ? 'audit.none' : 'audit.count', { count: shown }));
  };
  const search = async (nextFilter: AuditFilter) => {
    filter = nextFilter;
    exportLink.href = api.auditExportUrl(filter);
    await load(null);
  };
  more.addEventListener('click', () => {
    alert.clear();
    load(next).catch(alert.show);
  });
  const form = h(
    'form',
    { novalidate: true, role: 'search', 'aria-labelledby': 'filters-title', class: 'filters' },
    h('h2', { id: 'filters-title' }, tx('audit.filters')),
    h('div', { class: 'grid' }, userId.wrapper, officeId.wrapper, type.wrapper, from.wrapper, to.wrapper),
    h(
      'datalist',
      { id: listId },
      eventTypes.map((name) => h('option', { value: name })),
    ),
    alert.element,
    h('div', { class: 'actions' }, button('audit.search', { class: 'primary' }), exportLink),
  );
  onSubmit(form, alert, async () => {
    const clean = (value: string) => value.trim() || undefined;
    const chosen: AuditFilter = {};
    const set = (name: keyof AuditFilter, value: string | undefined) => {
      if (value !== undefined) chosen[name] = value;
    };
    set('userId', clean(field(form, 'userId')));
    set('officeId', clean(field(form, 'officeId')));
    set('type', clean(field(form, 'type')));
    set('from', fromLocalInput(field(form, 'from')));
    set('to', fromLocalInput(field(form, 'to')));
    await search(chosen);
  });
  const element = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title', class: 'visually-hidden' }, tx('audit.history')),
    form,
    count,
    h(
      'div',
      { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'history-caption' },
      h(
        'table',
        { class: 'list', id: 'audit-events' },
        h('caption', { id: 'history-caption' }, tx('audit.history')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, tx('audit.colTime')),
            h('th', { scope: 'col' }, tx('audit.colType')),
            h('th', { scope: 'col' }, tx('audit.colStream')),
            h('th', { scope: 'col' }, tx('audit.colActor')),
            h('th', { scope: 'col' }, tx('audit.colData')),
            h('th', { scope: 'col' }, tx('audit.colAction')),
          ),
        ),
        tbody,
      ),
    ),
    more,
  );
  return { element, search };
};

const eventRow = (event: AuditEvent, onShowState: (event: AuditEvent) => void) => {
  const show = h(
    'button',
    { type: 'button', class: 'small', onclick: () => onShowState(event) },
    tx('audit.showState'),
  );
  bindAttr(show, 'aria-label', 'audit.showStateLabel', {
    type: event.type,
    time: dateParam(event.occurredAt),
  });
  const data = h(
    'ul',
    { class: 'kv' },
    Object.entries(event.data).map(([key, value]) =>
      h('li', {}, h('b', {}, `${key}: `), typeof value === 'string' ? value : JSON.stringify(value)),
    ),
  );
  return h(
    'tr',
    { 'data-type': event.type, 'data-stream': event.streamId },
    h('td', {}, dateNode(event.occurredAt)),
    h('td', {}, event.type),
    h('td', {}, h('code', {}, event.streamId)),
    h(
      'td',
      {},
      event.actor.role,
      h('br', {}),
      h('code', { class: 'id' }, event.actor.id),
      event.approvedBy === undefined
        ? null
        : h(
            'span',
            { class: 'approved-by' },
            h('br', {}),
            tx('audit.approvedBy'),
            ' ',
            h('code', { class: 'id' }, event.approvedBy.id),
          ),
    ),
    h('td', { class: 'data' }, data),
    h('td', {}, show),
  );
};

/** "State at a moment" for a user's 2FA or an office's requirement. */
const stateForm = (kind: 'user' | 'office') => {
  const alert = alertBox();
  const idField = textField(`${kind}-state-id`, kind === 'user' ? 'audit.userId' : 'audit.officeId');
  const atId = uid(`${kind}-state-at`);
  const at = h('input', {
    id: atId,
    name: 'at',
    type: 'datetime-local',
    step: '1',
    'aria-describedby': `${atId}-hint`,
  });
  const result = h('div', { class: 'state-result', id: `${kind}-state-result` });
  const titleId = `${kind}-state-title`;
  const form = h(
    'form',
    { novalidate: true },
    h(
      'div',
      { class: 'grid' },
      idField.wrapper,
      h(
        'div',
        { class: 'field' },
        h('label', { for: atId }, tx('audit.at')),
        h('p', { class: 'hint', id: `${atId}-hint` }, tx('audit.atHint')),
        at,
      ),
    ),
    alert.element,
    button('audit.show'),
  );
  onSubmit(form, alert, async () => {
    replace(result);
    const id = idField.input.value.trim();
    const moment = fromLocalInput(at.value);
    if (kind === 'user') replace(result, userStateView(await api.userStateAt(id, moment)));
    else replace(result, officeStateView(await api.officeStateAt(id, moment)));
  });
  const element = h(
    'section',
    { class: 'panel', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, tx(kind === 'user' ? 'audit.userState' : 'audit.officeState')),
    form,
    result,
  );
  return {
    element,
    fill: (id: string, iso: string) => {
      idField.input.value = id;
      at.value = toLocalInput(iso);
      element.scrollIntoView({ block: 'start' });
      form.requestSubmit();
      idField.input.focus();
    },
  };
};

const yesNo = (value: boolean) => tx(value ? 'common.yes' : 'common.no');

const userStateView = (state: UserStateAt) =>
  h(
    'div',
    {},
    h('h3', {}, tx('audit.stateAt', { time: dateParam(state.at) })),
    definitionList([
      ['audit.userId', h('code', {}, state.userId)],
      ['audit.enabled', yesNo(state.enabled)],
      ['audit.enrolledAt', dateNode(state.enrolledAt)],
      ['audit.pending', yesNo(state.pendingEnrollment)],
      ['audit.lockedUntil', dateNode(state.lockedUntil)],
      ['audit.codesLeft', String(state.recoveryCodesLeft)],
    ]),
  );

const officeStateView = (state: OfficeStateAt) =>
  h(
    'div',
    {},
    h('h3', {}, tx('audit.stateAt', { time: dateParam(state.at) })),
    definitionList([
      ['audit.officeId', h('code', {}, state.officeId)],
      ['audit.required', yesNo(state.required)],
      ['audit.enforceFrom', dateNode(state.enforceFrom)],
    ]),
  );
