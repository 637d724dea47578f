import { Menu, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { pageLabel, pages } from './pages.tsx';
import { useCan } from './session.ts';

/** The side menu (desktop) and drawer menu (phone): only pages the user may open are listed. */
export function NavMenu({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const { canAny } = useCan();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const allowed = pages.filter((p) => canAny(p.anyOf));
  const item = (p: (typeof pages)[number]) => ({ key: p.path, icon: p.icon, label: <span data-testid={`menu-${p.key}`}>{pageLabel(p, t)}</span> });
  const admin = allowed.filter((p) => p.section === 'admin');
  const items: MenuProps['items'] = [
    ...allowed.filter((p) => p.section === 'main').map(item),
    ...(admin.length > 0 ? [{ type: 'group' as const, key: 'admin', label: t('menu.admin'), children: admin.map(item) }] : []),
  ];
  // The longest matching path wins: /hazards/report selects "report", not also the ledger at /hazards.
  const matching = pages.filter((p) => p.section !== 'hidden' && p.path !== '/' && (pathname === p.path || pathname.startsWith(`${p.path}/`)));
  const best = matching.sort((a, b) => b.path.length - a.path.length)[0];
  const selected = best ? [best.path] : [];
  return (
    <Menu
      mode="inline"
      items={items}
      selectedKeys={selected.length > 0 ? selected : pathname === '/' ? ['/'] : []}
      onClick={({ key }) => {
        void navigate(key);
        onNavigate?.();
      }}
      style={{ borderInlineEnd: 'none' }}
      data-testid="nav-menu"
    />
  );
}
