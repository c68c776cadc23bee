import { useEffect } from 'react';

/** A single-key shortcut of a console page (no modifier keys: agents press them all day). */
export interface Shortcut {
  key: string;
  description: string;
  run: () => void;
}

/** True while the user is typing: shortcuts must never steal a letter from a reply box or a filter field. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

/**
 * Binds a page's shortcuts while it is mounted. Keys are ignored while a form field has focus, with a modifier
 * held (so browser and screen-reader shortcuts keep working) and when another handler already took the event.
 */
export function useShortcuts(shortcuts: readonly Shortcut[]): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typingIn(event.target)) return;
      const shortcut = shortcuts.find((candidate) => candidate.key === event.key);
      if (!shortcut) return;
      event.preventDefault();
      shortcut.run();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [shortcuts]);
}
