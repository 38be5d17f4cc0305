import { type Lang, type MessageKey, messages } from './messages.ts';

export type { Lang, MessageKey } from './messages.ts';

/** A parameter; a function is evaluated again on every language switch (dates, other texts). */
export type Param = string | number | (() => string);
export type Params = Record<string, Param>;

const storageKey = 'second-factor.lang';
const isLang = (value: unknown): value is Lang => value === 'nl' || value === 'en';

const stored = (): Lang | null => {
  try {
    const value = localStorage.getItem(storageKey);
    return isLang(value) ? value : null;
  } catch {
    return null;
  }
};

let current: Lang = stored() ?? 'nl';
let bindings: Array<() => void> = [];

export const lang = (): Lang => current;

export const t = (key: MessageKey, params: Params = {}): string =>
  messages[current][key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'function' ? value() : String(value);
  });

/** A text node that follows the language switch. */
export const tx = (key: MessageKey, params?: Params): Text => {
  const node = document.createTextNode('');
  const apply = () => {
    node.data = t(key, params);
  };
  apply();
  bindings.push(apply);
  return node;
};

/** Keeps an attribute (aria-label, alt, download…) translated. */
export const bindAttr = <E extends Element>(
  element: E,
  name: string,
  key: MessageKey,
  params?: Params,
): E => {
  const apply = () => element.setAttribute(name, t(key, params));
  apply();
  bindings.push(apply);
  return element;
};

/** Runs `apply` now and again on every language switch. */
export const onLangChange = (apply: () => void): void => {
  apply();
  bindings.push(apply);
};

/** Forgets the bindings of the previous page (its nodes are gone). */
export const resetBindings = (keep: Array<() => void> = []): void => {
  bindings = [...keep];
};

export const setLang = (next: Lang): void => {
  current = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // Storage may be off (private mode): the choice then lasts for this page only.
  }
  document.documentElement.lang = next;
  for (const apply of bindings) apply();
};

const locale = () => (current === 'nl' ? 'nl-BE' : 'en-GB');

/** A moment formatted in the current language (re-evaluated on switch when passed as a Param). */
export const dateParam =
  (iso: string): (() => string) =>
  () =>
    // 'long' time names the time zone (CET, GMT+1…): a moment without its zone is ambiguous.
    new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'long' }).format(new Date(iso));

export const timeParam =
  (iso: string): (() => string) =>
  () =>
    new Intl.DateTimeFormat(locale(), { timeStyle: 'long' }).format(new Date(iso));

export const initLang = (): void => {
  document.documentElement.lang = current;
};
