import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session.ts';
import { useCheckOutboxSync } from './useCheckOutbox.ts';

/** Mounted once in the app shell: sends checks queued offline on start and when back online. */
export function CheckOutboxSync() {
  const me = useSession();
  const { i18n } = useTranslation();
  useCheckOutboxSync(me.id, i18n.language);
  return null;
}
