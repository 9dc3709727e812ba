/**
 * Telling libp2p's errors apart. They carry a `name` and no `code`, and `instanceof` fails when two copies of a
 * libp2p module end up in one dependency tree, so libp2p itself compares names. This is the one place tessera does;
 * every package that branches on a libp2p error uses it (peer, coordinator, …).
 */

/** An error class as libp2p declares them: the class's `name` is also its instances' `name`. */
export type Libp2pErrorClass = abstract new (...args: never[]) => Error

/**
 * True when `err` is an instance of the libp2p error class `type`, by name (`isLibp2pError(err, UnexpectedEOFError)`).
 * A DOM exception of the same name (`AbortSignal.timeout()` rejects with one named `TimeoutError`) matches too.
 */
export function isLibp2pError (err: unknown, type: Libp2pErrorClass): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === type.name
}
