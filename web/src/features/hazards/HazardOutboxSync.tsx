import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session.ts';
import { useOutboxSync } from './useOutbox.ts';

/** Mounted once in the app shell: sends reports queued offline on start and when back online. */
export function HazardOutboxSync() {
  const me = useSession();
  const { i18n } = useTranslation();
  useOutboxSync(me.id, i18n.language);
  return null;
}
