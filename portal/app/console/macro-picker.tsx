import { useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { MacroChoice, RenderedMacro } from '../lib/macros';

/**
 * Inserts a saved reply (macro) into the reply being written on a ticket.
 *
 * Props:
 * - `ticketId`: the ticket's global id; placeholders are filled for it (and for the signed-in staff member).
 * - `macros`: the choices, `[{ id, title }]`, in the order to offer them; a loader gets the active ones with
 *   `activeMacroChoices(api)` from lib/macros.server.ts.
 * - `onInsert(rendered)`: called with `{ body, visibility, status }` once the filled-in reply arrives: put `body`
 *   into the reply box, switch to an internal note when `visibility` is INTERNAL, and offer `status` (null: none) as
 *   the status to set on sending. Nothing is sent: the staff member reads and edits it first.
 * - `label` (optional): the select's label, "Saved reply" by default.
 *
 * A native select (a listbox to assistive technology, keyboard-usable as is) and an "Insert" button. It fetches
 * GET /console/macros/render?macro=…&ticket=…; a refusal (a macro deactivated meanwhile) is announced beside it.
 */
export function MacroPicker({
  ticketId,
  macros,
  onInsert,
  label = 'Saved reply',
}: {
  ticketId: string;
  macros: readonly MacroChoice[];
  onInsert: (rendered: RenderedMacro) => void;
  label?: string;
}) {
  const id = useId();
  const [macroId, setMacroId] = useState('');
  const [state, setState] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const request = useRef<AbortController | null>(null);

  if (macros.length === 0) {
    return (
      <p className="macro-picker macro-picker--empty muted">
        No saved replies yet. <Link to="/console/macros">Write one</Link>
      </p>
    );
  }

  async function insert() {
    if (!macroId) {
      setState({ loading: false, error: 'Choose a saved reply first.' });
      return;
    }
    request.current?.abort();
    const controller = new AbortController();
    request.current = controller;
    setState({ loading: true, error: null });
    try {
      const query = new URLSearchParams({ macro: macroId, ticket: ticketId });
      const response = await fetch(`/console/macros/render?${query}`, {
        headers: { accept: 'application/json' },
        signal: controller.signal,
      });
      const body = (await response.json().catch(() => null)) as (RenderedMacro & { error?: string }) | null;
      if (!response.ok || !body || typeof body.body !== 'string') {
        setState({ loading: false, error: body?.error ?? 'The saved reply could not be filled in. Try again.' });
        return;
      }
      setState({ loading: false, error: null });
      onInsert({ body: body.body, visibility: body.visibility, status: body.status ?? null });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      setState({ loading: false, error: 'The saved reply could not be loaded. Check your connection and try again.' });
    }
  }

  return (
    <div className="macro-picker" role="group" aria-labelledby={`${id}-label`}>
      <label id={`${id}-label`} htmlFor={`${id}-select`}>
        {label}
      </label>
      <select
        id={`${id}-select`}
        value={macroId}
        onChange={(event) => setMacroId(event.currentTarget.value)}
        aria-describedby={state.error ? `${id}-error` : undefined}
        aria-invalid={state.error ? true : undefined}
        data-testid="macro-picker-select"
      >
        <option value="">Choose…</option>
        {macros.map((macro) => (
          <option key={macro.id} value={macro.id}>
            {macro.title}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="button button--small"
        onClick={insert}
        disabled={state.loading}
        aria-busy={state.loading || undefined}
      >
        {state.loading ? 'Inserting…' : 'Insert'}
      </button>
      {state.error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {state.error}
        </p>
      ) : null}
    </div>
  );
}
