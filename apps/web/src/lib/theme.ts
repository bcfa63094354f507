import { useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
const THEME_KEY = 'plaza.theme';
const listeners = new Set<() => void>();
const media = window.matchMedia('(prefers-color-scheme: dark)');

export function getThemeChoice(): ThemeChoice {
  const saved = localStorage.getItem(THEME_KEY);
  return saved === 'light' || saved === 'dark' ? saved : 'system';
}

function apply() {
  const choice = getThemeChoice();
  const dark = choice === 'dark' || (choice === 'system' && media.matches);
  // antd-mobile switches its CSS variables on this attribute.
  document.documentElement.setAttribute('data-prefers-color-scheme', dark ? 'dark' : 'light');
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', dark ? '#111111' : '#0f9d6b');
  for (const listener of listeners) listener();
}

export function setThemeChoice(choice: ThemeChoice) {
  localStorage.setItem(THEME_KEY, choice);
  apply();
}

media.addEventListener('change', apply);
apply();

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, getThemeChoice);
}

export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (listener) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', listener);
      return () => list.removeEventListener('change', listener);
    },
    () => window.matchMedia(query).matches,
  );
}
