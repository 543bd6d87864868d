import {TrackerError} from '../../core/errors.js';
import type {PacingOverrides} from '../../core/protocols/connector.js';

/** The variable that replaces a provider's published request budgets. */
export const PACING_ENV = 'SPEC_KITTY_TRACKER_PACING';

const KEYS = [
  'writes_per_minute',
  'writes_per_hour',
  'searches_per_minute',
  'requests_per_hour',
  'answer_ms',
] as const;
type Key = (typeof KEYS)[number];

/**
 * Reads `SPEC_KITTY_TRACKER_PACING`: unset for the provider's published budgets, `off` for no
 * pacing (a server without limits, such as a GitHub Enterprise Server whose administrator
 * disabled them), or `key=number,…` for other limits (`writes_per_minute=30,searches_per_minute=10`);
 * `answer_ms` is the server's typical answer time the dry run's estimate assumes per request.
 * A server's own rate-limit answers are honoured whatever this says.
 */
export function pacingFromEnv(env: NodeJS.ProcessEnv): PacingOverrides | undefined {
  const raw = env[PACING_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'off') return 'off';
  const out: Partial<Record<Key, number>> = {};
  for (const part of raw.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    const number = Number(value);
    if (!(KEYS as readonly string[]).includes(key) || !/^\d+$/.test(value ?? '') || number < 1) {
      throw new TrackerError(`${PACING_ENV}: cannot read \`${part.trim()}\` in \`${raw}\`.`, {
        hint: `Set it to \`off\` or to \`key=number\` pairs separated by commas, with keys among ${KEYS.join(', ')} and whole numbers of at least 1; or unset it to use the provider's published limits.`,
      });
    }
    out[key as Key] = number;
  }
  return out;
}
