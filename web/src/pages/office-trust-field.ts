import { h, uid } from '../dom.ts';
import { tx } from '../i18n.ts';

const maxDays = 30;

/** 'Browsers vertrouwen (dagen)' in the office policy form: 0 (off) to 30. */
export const trustBrowserDaysField = () => {
  const id = uid('trust-days');
  const input = h('input', {
    type: 'number',
    id,
    name: 'trustBrowserDays',
    min: 0,
    max: maxDays,
    step: 1,
    inputmode: 'numeric',
    'aria-describedby': `${id}-hint`,
  });
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, tx('office.trustLabel')),
    h('p', { class: 'hint', id: `${id}-hint` }, tx('office.trustHint')),
    input,
  );
  return {
    wrapper,
    input,
    show: (days: number | undefined) => {
      input.value = String(days ?? 0);
    },
    /** The days typed, or null when they are not a whole number from 0 to 30. */
    value: (): number | null => {
      const days = Number(input.value.trim());
      return input.value.trim() !== '' && Number.isInteger(days) && days >= 0 && days <= maxDays
        ? days
        : null;
    },
  };
};
