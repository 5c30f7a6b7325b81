/** Thrown when the ingest queue is full. Checked by `code`: routes are bundled apart from ingest. */
export class Overloaded extends Error {
  readonly code = 'OVERLOADED';
}

export function isOverloaded(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'OVERLOADED';
}
