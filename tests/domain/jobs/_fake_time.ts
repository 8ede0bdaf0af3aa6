/**
 * A fake clock and timer for the runner tests (`JobRunnerOptions.clock` and `schedule`), and a
 * way to wait for KV calls without sleeping.
 */
import type { Schedule } from "../../../domain/jobs/runner.ts";

export const T0 = 1_700_000_000_000;

/**
 * Time the test moves by hand: `now` is a runner's clock and `schedule` its timer, so a lease
 * expires, a poll interval passes or a renewal falls due when the test says so. Nothing in these
 * tests waits in real time; `settle` only yields to the event loop while KV calls complete.
 */
export class FakeTime {
  #now: number;
  #seq = 0;
  #timers: { at: number; seq: number; callback: () => void }[] = [];

  constructor(start = T0) {
    this.#now = start;
  }

  readonly now = (): number => this.#now;

  readonly schedule: Schedule = (ms, callback) => {
    const timer = { at: this.#now + ms, seq: this.#seq++, callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  };

  /** Resolves `ms` from now on this clock. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  /** Timers scheduled and not yet fired or cancelled. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves the clock by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    while (true) {
      const due = this.#timers.filter((t) => t.at <= end);
      if (due.length === 0) break;
      const next = due.reduce((a, b) => (a.at < b.at || (a.at === b.at && a.seq < b.seq) ? a : b));
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = end;
  }
}

/** One turn of the event loop (a zero-delay timer): lets pending KV calls complete. */
export const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Yields to the event loop until `probe` is truthy. The bound on turns only turns a hang into
 * a failure; a passing test takes a handful.
 */
export async function settle<T>(
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  what: string,
  maxTurns = 2_000,
): Promise<T> {
  for (let turn = 0; turn < maxTurns; turn++) {
    const value = await probe();
    if (value) return value;
    await nextTurn();
  }
  throw new Error(`Gave up waiting for ${what} after ${maxTurns} turns of the event loop`);
}
