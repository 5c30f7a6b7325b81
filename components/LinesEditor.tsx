'use client';
import { useState } from 'react';

/** Lines typed as a list: one per comma, space or line break. */
const parse = (text: string) => [...new Set(text.split(/[\s,;]+/).filter(Boolean))];

/**
 * A supervisor's or TV's lines on the admin page: "all lines", or the list and a form to change it
 * (an empty list is all lines).
 */
export function LinesEditor({
  of,
  lines,
  save,
}: {
  /** Whose lines, for the labels. */
  of: string;
  lines: string[] | null;
  save: (lines: string[] | null) => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  if (!editing) {
    return (
      <span className="lines-cell">
        <span data-testid={`lines-of-${of}`}>{lines === null ? 'All lines' : lines.join(', ')}</span>
        <button
          className="button"
          type="button"
          aria-label={`Change the lines of ${of}`}
          onClick={() => {
            setText(lines?.join(', ') ?? '');
            setEditing(true);
          }}
        >
          Lines…
        </button>
      </span>
    );
  }
  return (
    <form
      className="lines-form"
      aria-label={`Lines of ${of}`}
      onSubmit={(e) => {
        e.preventDefault();
        const list = parse(text);
        void save(list.length === 0 ? null : list).then(() => setEditing(false));
      }}
    >
      <input
        aria-label={`Lines of ${of} (empty: all lines)`}
        placeholder="+15551230000, +15551230001 (empty: all)"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button className="button button-primary" type="submit">
        Save
      </button>
      <button className="button" type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
    </form>
  );
}
