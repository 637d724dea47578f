import type { ThemeConfig } from 'antd';

const base: ThemeConfig = {
  token: { colorPrimary: '#1f5fbf', borderRadius: 6 },
};

/**
 * Phones are used with gloves, in noise and sunlight: 44 px touch targets (WCAG 2.5.5 / Apple HIG) and
 * 16 px text, which also keeps iOS from zooming into focused inputs.
 */
const phone: ThemeConfig = {
  token: { ...base.token, controlHeight: 44, controlHeightLG: 48, controlHeightSM: 44, fontSize: 16 },
  components: { Menu: { itemHeight: 48 }, Table: { cellPaddingBlock: 12 }, Tree: { titleHeight: 40 } },
};

export function themeFor(isPhone: boolean, reducedMotion: boolean): ThemeConfig {
  const theme = isPhone ? phone : base;
  return reducedMotion ? { ...theme, token: { ...theme.token, motion: false } } : theme;
}
