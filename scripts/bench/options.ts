/** commander parsers the bench commands share. */
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
