/**
 * English and Simplified Chinese. Each page keeps its own strings beside it and registers them
 * as a namespace of its own:
 *
 *   const useStrings = defineStrings('contacts', { en: { title: 'Contacts' }, zh: { title: '联系人' } });
 *   const t = useStrings();   // t('title'), t('found', { count: 3 })
 *
 * Interpolation is i18next's ({{count}}); plurals follow its _one / _other keys. The language is
 * the one chosen in the shell (kept in localStorage), else the browser's.
 */
import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh', label: '中文' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'herald.language';

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

void i18next.use(initReactI18next).init({
  lng: initialLanguage(),
  fallbackLng: 'en',
  resources: {},
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = i18next.language === 'zh' ? 'zh-CN' : 'en';

export function setLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  void i18next.changeLanguage(language);
}

export function currentLanguage(): Language {
  return i18next.language === 'zh' ? 'zh' : 'en';
}

/** The same keys in both languages: a key missing in Chinese is a type error. */
type Strings = Record<string, string>;

export function defineStrings<E extends Strings>(
  namespace: string,
  strings: { en: E; zh: { [K in keyof E]: string } },
) {
  i18next.addResourceBundle('en', namespace, strings.en, true, true);
  i18next.addResourceBundle('zh', namespace, strings.zh, true, true);
  return function useStrings() {
    const { t } = useTranslation(namespace);
    return t as (key: keyof E & string, options?: Record<string, unknown>) => string;
  };
}

/** Locale-aware formatting for the chosen language. */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'zh' ? 'zh-CN' : 'en-GB';
  return {
    locale,
    number: (n: number | null | undefined, digits = 0) =>
      n === null || n === undefined
        ? '–'
        : n.toLocaleString(locale, { maximumFractionDigits: digits }),
    percent: (r: number | null | undefined, digits = 1) =>
      r === null || r === undefined || Number.isNaN(r)
        ? '–'
        : (r * 100).toLocaleString(locale, { maximumFractionDigits: digits }) + '%',
    dateTime: (iso: string | null | undefined) =>
      iso ? new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }) : '–',
    date: (iso: string | null | undefined) =>
      iso ? new Date(iso).toLocaleDateString(locale, { dateStyle: 'medium' }) : '–',
    money: (amount: number, currency: string) =>
      amount.toLocaleString(locale, { style: 'currency', currency }),
  };
}
