import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import relativeTime from 'dayjs/plugin/relativeTime';
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setApiLanguage } from '../api/client.ts';
import { en } from './en.ts';
import { zhCN, type Messages } from './zh-CN.ts';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
  }
}

export const languages = ['zh-CN', 'en'] as const;
export type Language = (typeof languages)[number];

const STORAGE_KEY = 'safeloop.lang';

function isLanguage(v: unknown): v is Language {
  return v === 'zh-CN' || v === 'en';
}

/** The user's explicit choice on this device, if any. Chinese first when there is none (DESIGN). */
export function storedLanguage(): Language | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return isLanguage(v) ? v : null;
  } catch {
    return null;
  }
}

dayjs.extend(relativeTime);

function apply(lang: Language): void {
  dayjs.locale(lang === 'en' ? 'en' : 'zh-cn');
  setApiLanguage(lang);
  document.documentElement.lang = lang;
}

const initial = storedLanguage() ?? 'zh-CN';
apply(initial);

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: initial,
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false }, // React escapes already.
  returnNull: false,
  showSupportNotice: false, // no advertising in the browser console of a plant's terminal
});

/** Switches UI text, antd/dayjs locale (via the app's ConfigProvider) and the API's Accept-Language. */
export async function setLanguage(lang: Language, persist = true): Promise<void> {
  if (persist) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Private mode: the switch still applies for this visit.
    }
  }
  apply(lang);
  await i18n.changeLanguage(lang);
}

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'zh-CN';
}

export { i18n };
