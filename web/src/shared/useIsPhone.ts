import { Grid } from 'antd';

/**
 * Phones get card lists, a drawer menu and 44 px touch targets. Below antd's `md` (768 px) counts as a
 * phone. Before the first measurement `md` is undefined; we then trust the window width.
 */
export function useIsPhone(): boolean {
  const screens = Grid.useBreakpoint();
  if (screens.md === undefined) return typeof window !== 'undefined' && window.innerWidth < 768;
  return !screens.md;
}
