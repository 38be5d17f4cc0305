import { type ApprovedSupportAction, api, type PendingSupportRequest } from '../api.ts';
import { h, replace } from '../dom.ts';
import { dateParam, tx } from '../i18n.ts';
import { alertBox, button, dateNode, definitionList, onSubmit, statusBox } from '../ui.ts';

/**
 * Four-eyes: the requests waiting for a second support agent. Another agent's request can be approved
 * (a temporary code is then shown here, to the approver, once); one's own can be withdrawn.
 */
export const supportRequestsPanel = (myUserId: string) => {
  const outcome = h('div', { id: 'support-request-outcome' });
  const list = h('div', { id: 'support-request-list' });
  const alert = alertBox();
  const element = h(
    'section',
    { class: 'panel', id: 'support-requests', 'aria-labelledby': 'requests-title', hidden: true },
    h('h2', { id: 'requests-title' }, tx('support.requestsTitle')),
    h('p', {}, tx('support.requestsIntro')),
    alert.element,
    outcome,
    list,
  );

  const refresh = async () => {
    let items: PendingSupportRequest[];
    try {
      items = (await api.supportRequests()).items;
    } catch (error) {
      alert.show(error);
      return;
    }
    // Shown once there is something to act on, or an outcome to read (four-eyes off: never).
    element.hidden = items.length === 0 && outcome.childElementCount === 0;
    replace(
      list,
      items.length === 0 ? h('p', {}, tx('support.requestsNone')) : null,
      ...items.map((request) => requestItem(request, myUserId, decided)),
    );
  };
  const decided = async (shown: HTMLElement) => {
    replace(outcome, shown);
    await refresh();
  };
  return { element, refresh };
};

const requestItem = (
  request: PendingSupportRequest,
  myUserId: string,
  decided: (shown: HTMLElement) => Promise<void>,
) => {
  const mine = request.requestedBy.id === myUserId;
  const alert = alertBox();
  const name = request.username ?? request.userId;
  const form = h(
    'form',
    {
      class: 'request',
      'data-request-id': request.requestId,
      'aria-labelledby': `request-${request.requestId}-title`,
      novalidate: true,
    },
    h('h3', { id: `request-${request.requestId}-title` }, tx(`support.action.${request.action}`)),
    definitionList([
      ['support.requestUser', name],
      ['support.reason', request.reason],
      ['support.ticket', request.ticket],
      [
        'support.requestedBy',
        mine ? tx('support.requestedByYou') : (request.requestedByUsername ?? request.requestedBy.id),
      ],
      ['support.requestExpires', dateNode(request.expiresAt)],
    ]),
    alert.element,
    mine ? button('support.withdraw') : button('support.approve', { class: 'primary' }),
  );
  onSubmit(form, alert, async () => {
    if (mine) {
      await api.withdrawSupportRequest(request.requestId);
      const done = successBox();
      await decided(done.element);
      done.show('support.withdrawn');
      return;
    }
    await decided(approvedNotice(await api.approveSupportRequest(request.requestId), name));
  });
  return form;
};

const successBox = () => {
  const done = statusBox();
  done.element.classList.add('success');
  return done;
};

const approvedNotice = (approved: ApprovedSupportAction, name: string): HTMLElement => {
  if (approved.action === 'temporary-access')
    return h(
      'div',
      { class: 'notice success', id: 'temporary-code-shown', role: 'status' },
      h('p', {}, tx('support.approvedTemporary', { name, date: dateParam(approved.expiresAt) })),
      h('p', {}, h('code', { id: 'temporary-code', class: 'code' }, approved.code)),
      h('p', { class: 'hint' }, tx('support.temporaryOnce')),
    );
  return h(
    'div',
    { class: 'status success', role: 'status' },
    h(
      'p',
      {},
      tx(approved.action === 'erasure' ? 'support.approvedErasure' : 'support.approvedReset', { name }),
    ),
  );
};
