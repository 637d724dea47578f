import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Route, Routes } from 'react-router';
import { isApiError, setUnauthenticatedHandler } from '../api/client.ts';
import { meKey } from '../features/auth/api.ts';
import { useIsPhone } from '../shared/useIsPhone.ts';
import { useReducedMotion } from '../shared/useReducedMotion.ts';
import { AppShell } from './AppShell.tsx';
import { PageSpinner } from './PageSpinner.tsx';
import { RequireAuth } from './RequireAuth.tsx';
import { themeFor } from './theme.ts';

const LoginPage = lazy(() => import('../features/auth/LoginPage.tsx').then((m) => ({ default: m.LoginPage })));
// Public: an anonymous reporter follows their hazard with the tracking code, without signing in.
const TrackPage = lazy(() => import('../features/hazards/TrackPage.tsx').then((m) => ({ default: m.TrackPage })));
const PermitStatusPage = lazy(() => import('../features/permits/StatusPage.tsx').then((m) => ({ default: m.StatusPage })));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers will not change on retry; network blips and 5xx get two more tries.
      retry: (count, err) => !(isApiError(err) && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

// Session gone (expired, logged out elsewhere): forget the user; RequireAuth then redirects to /login.
setUnauthenticatedHandler(() => {
  if (queryClient.getQueryData(meKey)) queryClient.setQueryData(meKey, null);
});

export function Root() {
  const { i18n } = useTranslation();
  const isPhone = useIsPhone();
  const reducedMotion = useReducedMotion();
  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} theme={themeFor(isPhone, reducedMotion)}>
        <AntApp>
          <BrowserRouter>
            <Routes>
              <Route
                path="/login"
                element={
                  <Suspense fallback={<PageSpinner full />}>
                    <LoginPage />
                  </Suspense>
                }
              />
              <Route
                path="/track"
                element={
                  <Suspense fallback={<PageSpinner full />}>
                    <TrackPage />
                  </Suspense>
                }
              />
              <Route
                path="/permit-status"
                element={
                  <Suspense fallback={<PageSpinner full />}>
                    <PermitStatusPage />
                  </Suspense>
                }
              />
              <Route
                path="*"
                element={
                  <RequireAuth>
                    <AppShell />
                  </RequireAuth>
                }
              />
            </Routes>
          </BrowserRouter>
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}
