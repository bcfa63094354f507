import { type Account, PlazaApiError, PlazaClient } from '@plaza/client';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';

const TOKEN_KEY = 'plaza.token';
const ACCOUNT_KEY = 'plaza.account';

export interface AuthState {
  token: string | null;
  account: Account | null;
}

function readAuth(): AuthState {
  const token = localStorage.getItem(TOKEN_KEY);
  let account: Account | null = null;
  try {
    account = JSON.parse(localStorage.getItem(ACCOUNT_KEY) ?? 'null') as Account | null;
  } catch {
    account = null;
  }
  return { token, account: token ? account : null };
}

let auth = readAuth();
const listeners = new Set<() => void>();

export const api = new PlazaClient({ baseUrl: '', token: auth.token });

// A 401 means this session was revoked (or expired): sign out instead of showing errors.
function signOutOnUnauthorized(error: unknown) {
  if (error instanceof PlazaApiError && error.status === 401 && auth.token) clearAuth();
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: signOutOnUnauthorized }),
  mutationCache: new MutationCache({ onError: signOutOnUnauthorized }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      retry: (count, error) => !(error instanceof PlazaApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

export function setAuth(token: string, account: Account) {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(ACCOUNT_KEY, JSON.stringify(account));
  api.token = token;
  auth = { token, account };
  for (const listener of listeners) listener();
}

export function updateStoredAccount(account: Account) {
  if (!auth.token) return;
  localStorage.setItem(ACCOUNT_KEY, JSON.stringify(account));
  auth = { ...auth, account };
  for (const listener of listeners) listener();
}

export function clearAuth() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(ACCOUNT_KEY);
  api.token = null;
  auth = { token: null, account: null };
  queryClient.clear();
  for (const listener of listeners) listener();
}

export function getAuth(): AuthState {
  return auth;
}

export function useAuth(): AuthState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => auth,
  );
}

/** Account id of the signed-in member ('' when signed out). */
export function useMyId(): string {
  return useAuth().account?.id ?? '';
}

export function errorText(error: unknown): string {
  if (error instanceof PlazaApiError) return error.message || error.code;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function newClientMsgId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return `Plaza Web · ${browser}${os ? ` on ${os}` : ''}`;
}
