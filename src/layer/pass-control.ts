/**
 * Stops a pass from anywhere (budget clock, caller's abort signal, a failed stage) by destroying
 * every stream it uses, so a stopped pass neither reads nor waits on anything afterwards.
 */
import type { Stream } from 'node:stream';
import type { LayerBudget } from './budget.js';

interface Destroyable extends Stream {
  destroy(): unknown;
}

export class PassControl {
  /** Rejects with the first reason the pass was stopped for. */
  readonly stopped: Promise<never>;
  private reason: Error | undefined;
  private rejectStopped!: (reason: Error) => void;
  private readonly streams: Destroyable[] = [];
  private readonly cleanups: (() => void)[] = [];

  constructor() {
    this.stopped = new Promise<never>((_resolve, reject) => {
      this.rejectStopped = reject;
    });
    // Raced against the pass's own work; nobody may be racing at the moment it stops.
    this.stopped.catch(() => undefined);
  }

  /** The first error the pass stopped with, if it stopped. */
  get stopReason(): Error | undefined {
    return this.reason;
  }

  track(stream: Destroyable): void {
    this.streams.push(stream);
    if (this.reason) stream.destroy();
  }

  stop(reason: unknown): void {
    if (this.reason) return;
    this.reason = reason instanceof Error ? reason : new Error(String(reason));
    // Without the error: it reaches the caller through `stopped`, and a stream nobody listens to
    // for errors would turn it into an uncaught exception.
    for (const stream of this.streams) stream.destroy();
    this.rejectStopped(this.reason);
  }

  /** `work`, unless the pass stops first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.stopped]);
  }

  /** Stops the pass when `signal` aborts. */
  followSignal(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = () => this.stop(abortReason(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.onDispose(() => signal.removeEventListener('abort', onAbort));
  }

  /** Stops the pass when the budget's clock runs out. */
  followClock(budget: LayerBudget): void {
    budget.startClock((err) => this.stop(err));
    this.onDispose(() => budget.stopClock());
  }

  onDispose(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  /** Once the pass is over, whichever way: timers and listeners go. */
  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(reason === undefined ? 'The operation was aborted' : String(reason));
  err.name = 'AbortError';
  return err;
}
