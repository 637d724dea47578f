import { useSyncExternalStore } from 'react';

const query = '(prefers-reduced-motion: reduce)';

function subscribe(onChange: () => void): () => void {
  const list = window.matchMedia(query);
  list.addEventListener('change', onChange);
  return () => list.removeEventListener('change', onChange);
}

/**
 * The operating system's "reduce motion" setting (vestibular disorders, or a slow plant-floor tablet).
 * When set, antd's drawers, dropdowns and modals open and close without animation; browser tests run
 * that way too, so a click never lands on a panel that is still sliding in or out.
 */
export function useReducedMotion(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(query).matches,
    () => false,
  );
}
