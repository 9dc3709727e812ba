/**
 * The base class of every named tessera error. The subclass declares its code once, as a static field, so each
 * error class is a single line and `name`, `code` and `cause` are set the same way everywhere.
 */

/** Options of a {@link TesseraError}: the standard `cause`. */
export interface TesseraErrorOptions {
  cause?: unknown
}

/** Base class: `name` is the subclass's name, `code` its static `code` (or `ERR_TESSERA` on the base itself). */
export class TesseraError extends Error {
  /** The machine-readable code of this class; subclasses override it. */
  static readonly code: string = 'ERR_TESSERA'

  /** The machine-readable code of this error (the class's static `code`). */
  readonly code: string

  constructor (message?: string, options?: TesseraErrorOptions) {
    super(message, options)
    const ctor = new.target as unknown as { name: string, code: string }
    this.name = ctor.name
    this.code = ctor.code
  }
}

/** True when `err` carries the machine-readable `code` (any object with that `code` field: ours or a library's). */
export function hasErrorCode (err: unknown, code: string): boolean {
  return errorCodeOf(err) === code
}

/** The `code` field of `err` when it has a string one, otherwise undefined. */
export function errorCodeOf (err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/**
 * One line for a person: the message, then each cause's message after a colon (the chain a stack trace would
 * hide), without the stack.
 */
export function describeError (err: unknown): string {
  const parts: string[] = []
  let current: unknown = err
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    const message = current instanceof Error ? current.message : String(current)
    if (message !== '' && !parts.includes(message)) parts.push(message)
    current = current instanceof Error ? current.cause : undefined
  }
  return parts.join(': ')
}
