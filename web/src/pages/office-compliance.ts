import { api, type ComplianceReport, type ComplianceRow } from '../api.ts';
import { formatDeadline, parseDeadline, timeZoneName } from '../deadline-text.ts';
import { h, replace, uid } from '../dom.ts';
import { dateParam, lang, onLangChange, t, tx } from '../i18n.ts';
import { alertBox, button, dateNode, onSubmit, statusBox } from '../ui.ts';

/** A text field for a moment in the page's date format, with its label and hint. */
const momentField = (name: string, label: 'compliance.at' | 'campaign.deadline') => {
  const id = uid(name);
  const input = h('input', {
    type: 'text',
    id,
    name,
    inputmode: 'numeric',
    autocomplete: 'off',
    'aria-describedby': `${id}-hint`,
  });
  const format = () => t('office.deadlineFormat');
  onLangChange(() => {
    const typed = parseDeadline(input.value);
    if (typed !== 'invalid') input.value = formatDeadline(typed, lang());
    input.placeholder = format();
  });
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, tx(label)),
    h(
      'p',
      { class: 'hint', id: `${id}-hint` },
      tx('compliance.momentHint', { format, zone: timeZoneName() }),
    ),
    input,
  );
  return { wrapper, input, format };
};

const statusText = (row: ComplianceRow) =>
  row.status === 'due' && row.deadline !== null
    ? tx('compliance.due', { date: dateParam(row.deadline) })
    : tx(`compliance.${row.status}`);

const reportRow = (row: ComplianceRow) =>
  h(
    'tr',
    { 'data-member': row.username },
    h('th', { scope: 'row' }, row.username),
    h('td', {}, tx(`role.${row.role}`)),
    h(
      'td',
      { class: row.status === 'compliant' ? 'ok' : row.status === 'not-required' ? '' : 'todo' },
      statusText(row),
    ),
    h('td', {}, dateNode(row.enrolledAt)),
    h('td', {}, dateNode(row.lastSecondFactorAt)),
  );

/** The compliance report of the office, now or at a typed moment, with the CSV export of the same. */
export const compliancePanel = (officeId: string, onReport: (report: ComplianceReport) => void) => {
  const alert = alertBox();
  const moment = momentField('at', 'compliance.at');
  const totals = h('p', { id: 'compliance-totals' });
  const tbody = h('tbody', {});
  const more = h('button', { type: 'button' }, tx('office.more'));
  const exportLink = h(
    'a',
    { class: 'button', id: 'compliance-export', download: '' },
    tx('compliance.export'),
  );
  let at: string | undefined;
  let next: string | null = null;

  const load = async (after: string | null) => {
    const report = await api.compliance(officeId, at, after);
    if (after === null) {
      replace(tbody);
      // The campaign panel shows the campaign in force, not the one of a past moment.
      if (at === undefined) onReport(report);
    }
    for (const row of report.items) tbody.appendChild(reportRow(row));
    next = report.next;
    more.hidden = next === null;
    const { members, compliant, due, overdue } = report.totals;
    replace(
      totals,
      tx(at === undefined ? 'compliance.totalsNow' : 'compliance.totalsAt', {
        members,
        compliant,
        due,
        overdue,
        ...(at === undefined ? {} : { date: dateParam(report.at) }),
      }),
    );
    exportLink.setAttribute('href', api.complianceCsvUrl(officeId, at));
  };
  more.addEventListener('click', () => {
    alert.clear();
    load(next).catch(alert.show);
  });

  const form = h(
    'form',
    { novalidate: true, class: 'inline' },
    moment.wrapper,
    h('div', { class: 'actions' }, button('compliance.show'), exportLink),
  );
  onSubmit(form, alert, async () => {
    const typed = parseDeadline(moment.input.value);
    if (typed === 'invalid') {
      alert.showKey('error.deadlineFormat', {
        format: moment.format,
        example: () => formatDeadline(new Date().toISOString(), lang()),
      });
      moment.input.focus();
      return;
    }
    at = typed ?? undefined;
    await load(null);
  });

  const section = h(
    'section',
    { class: 'panel wide', 'aria-labelledby': 'compliance-title', id: 'compliance' },
    h('h2', { id: 'compliance-title' }, tx('compliance.title')),
    h('p', {}, tx('compliance.intro')),
    form,
    alert.element,
    totals,
    h(
      'table',
      { class: 'list', id: 'compliance-table' },
      h('caption', { class: 'visually-hidden' }, tx('compliance.title')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, tx('office.colUser')),
          h('th', { scope: 'col' }, tx('office.colRole')),
          h('th', { scope: 'col' }, tx('compliance.colStatus')),
          h('th', { scope: 'col' }, tx('compliance.colEnrolled')),
          h('th', { scope: 'col' }, tx('compliance.colLastFactor')),
        ),
      ),
      tbody,
    ),
    more,
  );
  /** Shows the report of now again (after a campaign changed). */
  const reload = () => {
    at = undefined;
    moment.input.value = '';
    return load(null);
  };
  return { section, load: reload };
};

/** The re-enrolment campaign: start one with a deadline and a reason, see its progress, end it. */
export const campaignPanel = (officeId: string, refresh: () => Promise<void>) => {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'campaign-title', id: 'campaign' });
  const alert = alertBox();
  const saved = statusBox();
  const show = (report: ComplianceReport) => {
    alert.clear();
    if (report.reenrollment !== null) {
      const { deadline, reason } = report.reenrollment;
      const progress = report.reenrollmentProgress ?? { renewed: 0, remaining: 0 };
      const end = h('form', { novalidate: true }, button('campaign.end'));
      onSubmit(end, alert, async () => {
        await api.endReenrollment(officeId);
        saved.show('campaign.ended');
        await refresh();
      });
      replace(
        section,
        h('h2', { id: 'campaign-title' }, tx('campaign.title')),
        h(
          'p',
          { class: 'state', id: 'campaign-state' },
          tx('campaign.running', { date: dateParam(deadline), reason }),
        ),
        h(
          'p',
          { id: 'campaign-progress' },
          tx('campaign.progress', {
            renewed: progress.renewed,
            total: progress.renewed + progress.remaining,
          }),
        ),
        alert.element,
        saved.element,
        end,
      );
      return;
    }
    const deadline = momentField('deadline', 'campaign.deadline');
    const reasonId = uid('reason');
    const reason = h('input', {
      type: 'text',
      id: reasonId,
      name: 'reason',
      required: true,
      maxlength: '1000',
    });
    const start = h(
      'form',
      { novalidate: true },
      deadline.wrapper,
      h('div', { class: 'field' }, h('label', { for: reasonId }, tx('campaign.reason')), reason),
      alert.element,
      saved.element,
      button('campaign.start', { class: 'primary' }),
    );
    onSubmit(start, alert, async () => {
      const typed = parseDeadline(deadline.input.value);
      if (typed === 'invalid' || typed === null) {
        alert.showKey('error.deadlineFormat', {
          format: deadline.format,
          example: () => formatDeadline(new Date(Date.now() + 14 * 86_400_000).toISOString(), lang()),
        });
        deadline.input.focus();
        return;
      }
      if (reason.value.trim() === '') {
        alert.showKey('campaign.reasonMissing');
        reason.focus();
        return;
      }
      await api.requireReenrollment(officeId, { deadline: typed, reason: reason.value.trim() });
      saved.show('campaign.started');
      await refresh();
    });
    replace(
      section,
      h('h2', { id: 'campaign-title' }, tx('campaign.title')),
      h('p', {}, tx('campaign.intro')),
      start,
    );
  };
  return { section, show };
};
