import type {TrackerEvent} from '../log/events.js';
import type {LogTransaction, TrackerEventLog} from '../log/event-log.js';
import {TrackerState, foldTrackerLog} from '../log/tracker-state.js';
import {systemClock, type Clock} from '../protocols/runtime.js';
import {createUlidFactory} from '../util/ulid.js';

/** A tracker log held in memory, for tests and for hosts that persist elsewhere. */
export class InMemoryEventLog implements TrackerEventLog {
  private readonly events: TrackerEvent[] = [];
  private state = new TrackerState();
  private readonly newId: () => string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly clock: Clock = systemClock) {
    this.newId = createUlidFactory(clock);
  }

  /** Every event appended so far, in append order (tests inspect it). */
  get appended(): readonly TrackerEvent[] {
    return this.events;
  }

  async read(): Promise<TrackerState> {
    return this.state;
  }

  /** Adds events written elsewhere (e.g. another branch), refolding as a merge would. */
  merge(events: Iterable<TrackerEvent>): void {
    this.events.push(...events);
    this.state = foldTrackerLog(this.events);
  }

  transact<T>(
    decide: (state: TrackerState) => LogTransaction<T>,
  ): Promise<{result: T; appended: TrackerEvent[]}> {
    // Serialise transactions, as a writer lock would.
    const run = this.queue.then(() => {
      const {events, result} = decide(this.state);
      const at = this.clock.now().toISOString();
      const stamped = events.map((payload) => ({...payload, event_id: this.newId(), at}) as TrackerEvent);
      this.events.push(...stamped);
      for (const event of stamped) {
        if (this.state.canAppend(event)) this.state.apply(event);
        else this.state = foldTrackerLog(this.events);
      }
      return {result, appended: stamped};
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
