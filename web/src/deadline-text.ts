import type { Lang } from './i18n.ts';

/** The written form of a moment in the page's language, as people type it: 31-12-2026 09:00 or 31/12/2026 09:00. */
const separator = (lang: Lang) => (lang === 'nl' ? '-' : '/');

const pad = (value: number) => String(value).padStart(2, '0');

/** A moment as the deadline field shows it, in the browser's time zone; empty for none. */
export const formatDeadline = (iso: string | null, lang: Lang): string => {
  if (iso === null) return '';
  const date = new Date(iso);
  const sep = separator(lang);
  return `${pad(date.getDate())}${sep}${pad(date.getMonth() + 1)}${sep}${date.getFullYear()} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
};

/**
 * The moment a person typed (day first, `-`, `/` or `.` between, an optional time), read in the browser's
 * time zone: an ISO instant, null when the field is empty, or 'invalid' when it is no real date.
 */
export const parseDeadline = (text: string): string | null | 'invalid' => {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const match = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]+(\d{1,2})[:.](\d{2}))?$/.exec(trimmed);
  if (match === null) return 'invalid';
  const [day, month, year, hours, minutes] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(year, month - 1, day, hours, minutes);
  // new Date rolls 31-02 over into March: a date that does not read back as typed is not a date.
  if (date.getDate() !== day || date.getMonth() !== month - 1 || hours > 23) return 'invalid';
  return date.toISOString();
};

/** The browser's time zone, as the page names it next to the deadline. */
export const timeZoneName = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
