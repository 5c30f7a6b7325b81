// The settings a reader is told about are the settings the server reads: the docs' table, the
// config schema and .env.example name the same variables.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '@/lib/config';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe('settings', () => {
  const schema = sorted(CONFIG_VARIABLES);
  it('are all in the docs’ settings table, and nothing else is', () => {
    const documented = [...read('docs/settings.md').matchAll(/^\| `([A-Z][A-Z0-9_]*)` /gm)].map((m) => m[1]!);
    expect(sorted(documented)).toEqual(schema);
  });
  it('are all in .env.example, and nothing else is', () => {
    const listed = [...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    expect(sorted(listed)).toEqual(schema);
  });
});
