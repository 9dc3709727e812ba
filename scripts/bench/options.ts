/** What the bench commands share: commander parsers and how a progress note is printed. */
import { InvalidArgumentError } from 'commander'

export function positiveInteger (value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer')
  return n
}

export function positiveNumber (value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number')
  return n
}

/** A comma-separated list of positive integers. */
export function positiveIntegerList (value: string): number[] {
  return value.split(',').map((part) => positiveInteger(part.trim()))
}

/** Prints a progress note on stderr, indented under the bench's heading (stdout carries the result). */
export function progressNote (note: string): void {
  process.stderr.write(`  ${note}\n`)
}
