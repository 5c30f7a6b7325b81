// Who is looking at the board, as the page tells its components.
import type { NumberView } from '@/lib/common/privacy';

export interface Viewer {
  kind: 'user' | 'tv';
  name: string;
  admin: boolean;
  /** The lines this viewer sees; null: every line. */
  lines: string[] | null;
  /** How callers' numbers reach this viewer (the server masks them; this only tells the screen). */
  numbers: NumberView;
}
