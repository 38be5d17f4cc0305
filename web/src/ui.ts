import { ProblemError } from './api.ts';
import { type Child, h, replace, uid } from './dom.ts';
import { bindAttr, dateParam, type MessageKey, onLangChange, type Params, t, timeParam, tx } from './i18n.ts';
import { messages } from './messages.ts';

/** The message for an error: the service's problem code when we know it, else its own title and detail. */
export const problemMessage = (error: unknown): { key: MessageKey; params: Params } => {
  if (!(error instanceof ProblemError))
    return { key: 'error.fallback', params: { title: 'Error', detail: String(error) } };
  const { problem } = error;
  switch (problem.code) {
    case 'network':
      return { key: 'error.network', params: {} };
    case 'locked-out':
      return {
        key: 'error.locked-out',
        params: { time: problem.lockedUntil ? timeParam(problem.lockedUntil) : '' },
      };
    case 'invalid-request': {
      const fields = problem.fields?.map((field) => `${field.path} ${field.message}`).join('; ');
      return { key: 'error.invalid-request', params: { detail: fields || problem.detail || problem.title } };
    }
    case 'office-not-found':
      return { key: 'error.not-found', params: {} };
    case 'service-unavailable':
    case 'read-models-unavailable':
    case 'read-models-rebuilding':
    case 'event-store-unavailable':
      return { key: 'error.unavailable', params: {} };
    default: {
      const key = `error.${problem.code}`;
      if (key in messages.nl) return { key: key as MessageKey, params: {} };
      return { key: 'error.fallback', params: { title: problem.title, detail: problem.detail ?? '' } };
    }
  }
};

/** A region that announces errors (role="alert"); it is empty, and takes no room, until it has one. */
export const alertBox = () => {
  const element = h('div', { role: 'alert', class: 'alert' });
  return {
    element,
    show: (error: unknown) => {
      const { key, params } = problemMessage(error);
      replace(element, h('p', {}, tx(key, params)));
    },
    showKey: (key: MessageKey, params?: Params) => replace(element, h('p', {}, tx(key, params))),
    clear: () => replace(element),
  };
};

/** A polite status region for successes. */
export const statusBox = () => {
  const element = h('div', { role: 'status', class: 'status' });
  return {
    element,
    show: (key: MessageKey, params?: Params) => replace(element, h('p', {}, tx(key, params))),
    clear: () => replace(element),
  };
};

/** Submits a form through `action`: one request at a time, errors into the alert box. */
export const onSubmit = (
  form: HTMLFormElement,
  alert: ReturnType<typeof alertBox>,
  action: () => Promise<void>,
): HTMLFormElement => {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    alert.clear();
    form.setAttribute('aria-busy', 'true');
    const buttons = [...form.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    try {
      await action();
    } catch (error) {
      alert.show(error);
      (alert.element.closest('section, form, main') as HTMLElement | null)?.scrollIntoView?.({
        block: 'nearest',
      });
    } finally {
      form.removeAttribute('aria-busy');
      for (const button of buttons) if (button.isConnected) button.disabled = false;
    }
  });
  return form;
};

type InputOptions = {
  name: string;
  label: MessageKey;
  /** Parameters of the label text (a username, say). */
  labelParams?: Params;
  hint?: MessageKey;
  type?: string;
  autocomplete?: string;
  required?: boolean;
  value?: string;
  extra?: Record<string, string | boolean>;
};

/** A labelled input (with an optional hint tied by aria-describedby). */
export const inputField = (options: InputOptions) => {
  const id = uid(options.name);
  const hintId = options.hint === undefined ? undefined : `${id}-hint`;
  const input = h('input', {
    id,
    name: options.name,
    type: options.type ?? 'text',
    autocomplete: options.autocomplete ?? 'off',
    required: options.required ?? true,
    value: options.value,
    'aria-describedby': hintId,
    ...options.extra,
  });
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, tx(options.label, options.labelParams)),
    options.hint === undefined ? null : h('p', { id: hintId, class: 'hint' }, tx(options.hint)),
    input,
  );
  return { wrapper, input };
};

/** The 6-digit code input: numeric keyboard, one-time-code autofill. */
export const codeField = (name: string, label: MessageKey, hint?: MessageKey) =>
  inputField({
    name,
    label,
    ...(hint === undefined ? {} : { hint }),
    autocomplete: 'one-time-code',
    extra: { inputmode: 'numeric', maxlength: '7', spellcheck: 'false', class: 'code-input' },
  });

/** The digits of what was typed in a code field ("123 456" is fine). */
export const digits = (value: string): string => value.replace(/\D/g, '');

export const button = (label: MessageKey, attrs: Record<string, string | boolean> = {}) =>
  h('button', { type: 'submit', ...attrs }, tx(label));

/** The page's h1; it takes focus after navigation so screen readers start at the top of the page. */
export const pageHeading = (key: MessageKey, params?: Params) =>
  h('h1', { tabindex: '-1', id: 'page-title' }, tx(key, params));

export const breadcrumb = (key: MessageKey) => h('p', { class: 'crumb' }, tx(key));

export const definitionList = (rows: Array<[MessageKey, Child]>) =>
  h(
    'dl',
    { class: 'facts' },
    rows.map(([key, value]) => [h('dt', {}, tx(key)), h('dd', {}, value)]),
  );

/** A date (or a dash) that follows the language switch. */
export const dateNode = (iso: string | null): Text => {
  if (iso === null) return tx('common.none');
  const node = document.createTextNode('');
  const format = dateParam(iso);
  onLangChange(() => {
    node.data = format();
  });
  return node;
};

/** The recovery codes, shown once: copy and download buttons, then an optional way on. */
export const recoveryCodesPanel = (codes: string[], username: string, onContinue?: () => void) => {
  const status = statusBox();
  const list = h(
    'ol',
    { class: 'codes', id: uid('recovery-codes') },
    codes.map((code) => h('li', {}, h('code', {}, code))),
  );
  bindAttr(list, 'aria-label', 'codes.list');
  const text = () => `${t('codes.fileHeader', { user: username })}\n\n${codes.join('\n')}\n`;
  const copy = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(text());
          status.show('codes.copied');
        } catch {
          const range = document.createRange();
          range.selectNodeContents(list);
          const selection = window.getSelection();
          selection?.removeAllRanges();
          selection?.addRange(range);
          status.show('codes.copyFailed');
        }
      },
    },
    tx('codes.copy'),
  );
  const download = h('a', { class: 'button', id: uid('download-codes') }, tx('codes.download'));
  let url = '';
  onLangChange(() => {
    if (url !== '') URL.revokeObjectURL(url);
    url = URL.createObjectURL(new Blob([text()], { type: 'text/plain;charset=utf-8' }));
    download.href = url;
    download.download = t('codes.fileName');
  });
  const titleId = uid('codes-title');
  const heading = h('h2', { tabindex: '-1', id: titleId }, tx('codes.title'));
  const panel = h(
    'section',
    { class: 'panel recovery', 'aria-labelledby': titleId },
    heading,
    h('p', {}, tx('codes.intro')),
    list,
    h('div', { class: 'actions' }, copy, download),
    status.element,
    onContinue === undefined
      ? null
      : h(
          'p',
          {},
          h('button', { type: 'button', class: 'primary', onclick: onContinue }, tx('codes.continue')),
        ),
  );
  return { panel, heading };
};

/**
 * Enrolling an authenticator app: QR code, the key for typing in by hand, and the confirmation with
 * a code ('Registreer twee-factor-authenticatie'). `confirm` returns the recovery codes.
 */
export const enrolmentForm = (
  started: { secret: string; otpauthUri: string; qr: { pngDataUrl: string }; expiresAt: string },
  confirm: (code: string) => Promise<void>,
) => {
  const alert = alertBox();
  const code = codeField('code', 'enrol.codeLabel', 'login.codeHint');
  const grouped = started.secret.replace(/(.{4})/g, '$1 ').trim();
  const img = h('img', { src: started.qr.pngDataUrl, width: '200', height: '200', class: 'qr' });
  bindAttr(img, 'alt', 'enrol.qrAlt');
  const keyId = uid('manual-key');
  const form = h(
    'form',
    { class: 'enrol', novalidate: true },
    h(
      'ol',
      { class: 'steps' },
      h('li', {}, tx('enrol.step2')),
      h(
        'li',
        {},
        tx('enrol.step3'),
        h('div', { class: 'qr-box' }, img),
        h('p', { id: `${keyId}-label` }, tx('enrol.manual')),
        h(
          'p',
          {},
          h(
            'code',
            {
              class: 'manual-key',
              id: keyId,
              'data-secret': started.secret,
              'aria-labelledby': `${keyId}-label`,
            },
            grouped,
          ),
        ),
        h('p', { class: 'hint' }, tx('enrol.expires', { time: timeParam(started.expiresAt) })),
        h('p', {}, h('a', { href: started.otpauthUri }, tx('enrol.openInApp'))),
      ),
      h('li', {}, tx('enrol.step4'), code.wrapper),
      h('li', {}, tx('enrol.step5')),
    ),
    alert.element,
    button('enrol.register', { class: 'primary' }),
  );
  onSubmit(form, alert, async () => {
    const value = digits(code.input.value);
    if (value.length !== 6) {
      alert.showKey('error.codeFormat');
      code.input.focus();
      return;
    }
    try {
      await confirm(value);
    } catch (error) {
      code.input.value = '';
      code.input.focus();
      throw error;
    }
  });
  return { form, codeInput: code.input };
};

/** A fresh proof that it is the user: a code from the app, or the password. */
export const proofFieldset = () => {
  const name = uid('proof');
  const code = codeField('proof-code', 'proof.code');
  const password = inputField({
    name: 'proof-password',
    label: 'proof.password',
    type: 'password',
    autocomplete: 'current-password',
    required: false,
  });
  password.wrapper.hidden = true;
  const radio = (value: 'code' | 'password', label: MessageKey, checked: boolean) => {
    const id = uid(`${name}-${value}`);
    return h(
      'div',
      { class: 'choice' },
      h('input', {
        type: 'radio',
        name,
        id,
        value,
        checked,
        onchange: () => {
          code.wrapper.hidden = value !== 'code';
          password.wrapper.hidden = value !== 'password';
          (value === 'code' ? code.input : password.input).focus();
        },
      }),
      h('label', { for: id }, tx(label)),
    );
  };
  const fieldset = h(
    'fieldset',
    {},
    h('legend', {}, tx('proof.legend')),
    radio('code', 'proof.withCode', true),
    radio('password', 'proof.withPassword', false),
    code.wrapper,
    password.wrapper,
  );
  const value = (): { code: string } | { password: string } | null => {
    if (!code.wrapper.hidden) {
      const entered = digits(code.input.value);
      return entered.length === 6 ? { code: entered } : null;
    }
    return password.input.value === '' ? null : { password: password.input.value };
  };
  const clear = () => {
    code.input.value = '';
    password.input.value = '';
  };
  return { fieldset, value, clear, codeInput: code.input, passwordInput: password.input };
};
