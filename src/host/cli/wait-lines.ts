import type {RuntimeEvent} from '../../core/protocols/runtime.js';

/** Where progress and wait lines go (stderr); `isTTY` decides between a live line and plain lines. */
export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

type WaitEvent = Extract<RuntimeEvent, {type: 'wait'}>;

/** A pacing wait this long or longer always gets its line; shorter ones are summarised. */
const LONG_PACING_WAIT_MS = 10_000;
/** The same short pacing wait is repeated at most once in this interval. */
const PACING_REPEAT_MS = 60_000;

const PROVIDERS: Readonly<Record<string, string>> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  jira: 'Jira',
  linear: 'Linear',
  beads: 'beads',
  fp: 'fp',
};

/** What is waited for, in words: the event's own detail, or one made from its reason. */
export function describeWait(event: WaitEvent): string {
  if (event.detail) return event.detail;
  const provider = PROVIDERS[event.provider] ?? event.provider;
  switch (event.reason) {
    case 'rate_limit':
      return `${provider} is rate limiting requests`;
    case 'retry':
      return `${provider} failed temporarily; retrying (attempt ${event.attempt + 1})`;
    case 'pacing':
      return `${provider}'s request limits`;
    case 'lock':
      return 'another spec-kitty tracker process is writing';
  }
}

/** `1.5 s`, `42 s`, `60 min`: a wait as people say it. */
function duration(ms: number): string {
  const s = ms / 1000;
  if (s >= 120) return `${Math.round(s / 60)} min`;
  return `${s < 10 && !Number.isInteger(s) ? s.toFixed(1) : String(Math.round(s))} s`;
}

/**
 * One line per wait on stderr (`waiting 42 s: GitHub's limit of 80 writes a minute`), for
 * output that is not a live terminal line: piped, redirected or `--json`. Short waits of the
 * client's own pacing (one a second for every write of a long push) are said once a minute,
 * not once per request; every other wait gets its line.
 */
export class WaitLines {
  private lastPacing: {text: string; at: number} | null = null;

  constructor(
    private readonly sink: ProgressSink,
    private readonly now: () => number = Date.now,
  ) {}

  onWait(event: WaitEvent): void {
    const text = describeWait(event);
    if (event.reason === 'pacing' && event.ms < LONG_PACING_WAIT_MS) {
      const now = this.now();
      const last = this.lastPacing;
      if (last !== null && last.text === text && now - last.at < PACING_REPEAT_MS) return;
      this.lastPacing = {text, at: now};
    }
    this.sink.write(`waiting ${duration(event.ms)}: ${text}\n`);
  }
}
