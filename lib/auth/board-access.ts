// What a paired TV may ask of the board, and what it receives. A TV's cookie needs no password and
// lasts 400 days, so whoever holds it must get no more than the screen shows: the board's own
// ranges (never an arbitrary window, which would let it page through the call history), the rows
// a TV displays, and callers' numbers masked.
import { z } from 'zod';
import { CALL_STATUSES } from '../common/status';
import { PRESET_KEYS, resolveRange, type Preset } from '../common/range';
import { isValidTimeZone } from '../common/settings';
import { MAX_LINE_LENGTH, type BoardFilter } from '../common/filter';
import type { View } from '../common/view';

/** The most calls a TV's table lists: more than a portrait 4K screen shows at TV scale. */
export const TV_ROWS = 25;

const TV_PRESETS = PRESET_KEYS.filter((p): p is Exclude<Preset, 'custom'> => p !== 'custom');

/** A TV's view: its link's range if it is one of the board's presets, else today; no caller search. */
export function tvView(view: View): View {
  return {
    ...view,
    preset: view.preset === 'custom' ? 'today' : view.preset,
    from: null,
    to: null,
    caller: null,
    tv: true,
  };
}

/**
 * A TV's snapshot request: a preset and the zone it is resolved in, never from/to (the server
 * resolves them, at its own clock) and never a caller search.
 */
export const tvQuerySchema = z.object({
  range: z.enum(TV_PRESETS, { error: `a wallboard TV shows ${TV_PRESETS.join(', ')} only` }).default('today'),
  tz: z
    .string()
    .max(64)
    .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Paris')
    .default('UTC'),
  line: z.string().max(MAX_LINE_LENGTH).optional(),
  status: z.enum(CALL_STATUSES).optional(),
  // Outbound calls' and legs' numbers are people's, not the center's lines: not for a TV.
  direction: z.enum(['inbound'], { message: 'a wallboard TV shows inbound calls only' }).default('inbound'),
  caller: z.undefined({ error: 'a wallboard TV cannot search callers' }).optional(),
});

export function tvFilter(q: z.infer<typeof tvQuerySchema>, now: number): BoardFilter {
  const range = resolveRange({ preset: q.range }, q.tz, now);
  return {
    from: range.from,
    to: range.to,
    line: q.line ?? null,
    status: q.status ?? null,
    caller: null,
    direction: q.direction,
  };
}
