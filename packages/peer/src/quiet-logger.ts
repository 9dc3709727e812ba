/**
 * libp2p's component logger, without the cost of loggers nobody reads. `@libp2p/logger` builds two debug instances
 * for every logger it hands out (the name and its `:error`), and each construction asks whether stderr is a
 * terminal (a system call); libp2p asks for loggers per connection, per stream and per DHT query, so with logging
 * off a busy node spent ~3 % of its main thread building loggers (profiled at 25 nodes per process). A namespace
 * that the `DEBUG` patterns leave off gets a logger that does nothing, whose scopes are checked again by name;
 * an enabled one is `@libp2p/logger`'s. The patterns are read once, as `@libp2p/logger` reads them.
 */
import { enabled, logger } from '@libp2p/logger'
import type { ComponentLogger, Logger } from '@libp2p/interface'

const noop = (): void => {}

/** Whether `DEBUG` turns on anything `name`'s logger writes (its messages, errors or traces). */
function wanted (name: string): boolean {
  return enabled(name) || enabled(`${name}:error`) || enabled(`${name}:trace`)
}

/** The logger of `name`: `@libp2p/logger`'s when enabled, else one that writes nothing. */
export function quietLogger (name: string): Logger {
  if (wanted(name)) return logger(name)
  return Object.assign(noop.bind(null), {
    enabled: false,
    error: noop,
    trace: noop,
    newScope: (scope: string) => quietLogger(`${name}:${scope}`)
  })
}

/** A `ComponentLogger` for `createLibp2p` built on {@link quietLogger}. */
export function quietComponentLogger (): ComponentLogger {
  return { forComponent: quietLogger }
}
