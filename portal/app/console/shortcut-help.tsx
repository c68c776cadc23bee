import type { Shortcut } from './shortcuts';

/** The keyboard shortcuts of a console page, listed on it (a `<details>` that stays out of the way until opened). */
export function ShortcutHelp({ shortcuts }: { shortcuts: readonly Shortcut[] }) {
  return (
    <details className="shortcut-help">
      <summary>Keyboard shortcuts</summary>
      <ul>
        {shortcuts.map((shortcut) => (
          <li key={shortcut.key}>
            <kbd>{shortcut.key}</kbd> {shortcut.description}
          </li>
        ))}
      </ul>
    </details>
  );
}
