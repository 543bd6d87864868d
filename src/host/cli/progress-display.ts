import type {RuntimeEvent} from '../../core/protocols/runtime.js';
import {WaitLines, describeWait, type ProgressSink} from './wait-lines.js';

/** Where the display writes: a stream with `isTTY` (stderr in the CLI, a fake in tests). */
export type {ProgressSink} from './wait-lines.js';

/**
 * A live one-line progress display on stderr for long runs, fed with the `RuntimeEvent`s the
 * engine and connectors report: phase counts, pages fetched, requests made, and waits for rate
 * limits with the time they end. It only draws on a terminal and never with `--json`; there,
 * piped and machine output get no progress noise, only one line per wait (`WaitLines`), so
 * that a run that seems stuck says what it waits for.
 */
export class ProgressDisplay {
  private readonly enabled: boolean;
  private phase: string | null = null;
  private done = 0;
  private total: number | null = null;
  private pages = 0;
  private items = 0;
  private requests = 0;
  private waitUntil: string | null = null;
  private waitReason: string | null = null;
  private lastDraw = 0;
  private drawn = false;
  private readonly waitLines: WaitLines;

  constructor(
    private readonly sink: ProgressSink,
    options: {json: boolean; now?: () => number; minIntervalMs?: number},
  ) {
    this.enabled = Boolean(sink.isTTY) && !options.json;
    this.now = options.now ?? Date.now;
    this.minIntervalMs = options.minIntervalMs ?? 80;
    this.waitLines = new WaitLines(sink, this.now);
  }

  private readonly now: () => number;
  private readonly minIntervalMs: number;

  /** The listener to hand to the runtime (`onEvent`). */
  readonly listener = (event: RuntimeEvent): void => this.onEvent(event);

  onEvent(event: RuntimeEvent): void {
    if (event.type === 'notice') {
      // A notice is said once by its connector: print it as a line of its own, on any sink.
      this.finish();
      this.sink.write(`note: ${event.message}\n`);
      return;
    }
    if (!this.enabled) {
      if (event.type === 'wait') this.waitLines.onWait(event);
      return;
    }
    switch (event.type) {
      case 'request':
        this.requests += 1;
        if (this.waitUntil !== null && Date.parse(this.waitUntil) <= this.now()) this.waitUntil = null;
        break;
      case 'page':
        this.pages = Math.max(this.pages, event.page);
        this.items += event.items;
        break;
      case 'progress':
        this.phase = event.phase;
        this.done = event.done;
        this.total = event.total;
        break;
      case 'wait':
        this.waitUntil = event.until;
        this.waitReason =
          event.reason === 'rate_limit'
            ? 'rate limit'
            : event.reason === 'retry'
              ? 'retry'
              : describeWait(event);
        // A wait is news: always draw it, whatever the throttle says.
        this.draw(true);
        return;
    }
    this.draw(false);
  }

  /** The current line (exposed for tests). */
  line(): string {
    const parts: string[] = [];
    if (this.phase !== null) {
      const label = this.phase === 'pull' ? 'Pulling' : 'Pushing';
      parts.push(this.total === null ? `${label}: ${this.done}` : `${label}: ${this.done}/${this.total}`);
    }
    if (this.pages > 0) parts.push(`${this.pages} page${this.pages === 1 ? '' : 's'} (${this.items} issues)`);
    if (this.requests > 0) parts.push(`${this.requests} request${this.requests === 1 ? '' : 's'}`);
    if (this.waitUntil !== null) {
      const seconds = Math.max(0, Math.ceil((Date.parse(this.waitUntil) - this.now()) / 1000));
      const clock = new Date(this.waitUntil).toISOString().slice(11, 19);
      parts.push(`waiting for ${this.waitReason} until ${clock} UTC (${seconds}s)`);
    }
    return parts.join(' · ');
  }

  /** Clears the line, so the final report starts on a clean line. */
  finish(): void {
    if (this.enabled && this.drawn) this.sink.write('\r\u001B[2K');
    this.drawn = false;
  }

  private draw(force: boolean): void {
    const now = this.now();
    if (!force && now - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = now;
    const columns = (this.sink as {columns?: number}).columns ?? 100;
    this.sink.write(`\r\u001B[2K${this.line().slice(0, Math.max(20, columns - 1))}`);
    this.drawn = true;
  }
}
