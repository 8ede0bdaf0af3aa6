/**
 * The server's socket: behind the connection guard (`serveGuarded`) by default, or
 * `Deno.serve` alone when `guard` is undefined (a deployment behind a proxy that already
 * enforces header timeouts and connection caps).
 *
 * @module
 */
import { type GuardLimits, serveGuarded } from "./guard.ts";

/** Options of `listen`. */
export interface ListenOptions {
  hostname: string;
  port: number;
  /** The guard's limits; undefined serves with `Deno.serve` alone. */
  guard: GuardLimits | undefined;
  handler: Deno.ServeHandler<Deno.NetAddr>;
  onListen: (addr: Deno.NetAddr) => void;
}

/** A listening server: `finished` resolves after `shutdown` (or when the plain server stops). */
export interface ListeningServer {
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Starts serving `handler` on `hostname:port`.
 *
 * @throws {Deno.errors.AddrInUse} or `AddrNotAvailable` when the address cannot be bound.
 */
export function listen(options: ListenOptions): ListeningServer {
  if (options.guard) {
    return serveGuarded({
      hostname: options.hostname,
      port: options.port,
      ...options.guard,
      onListen: options.onListen,
    }, options.handler);
  }
  return Deno.serve({
    hostname: options.hostname,
    port: options.port,
    handler: options.handler,
    onListen: options.onListen,
  });
}
