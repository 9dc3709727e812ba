/**
 * What went wrong in a run, as data: the run's errors (lost batches, timeline entries that failed, reconfiguration
 * steps that threw, discovery and release failures) and the uploads that failed, each with the failure's code, so
 * callers and tests read fields instead of parsing sentences.
 */
import { errorCodeOf } from '@tessera/errors'

/** Code of a failure whose error carried none (a plain `Error`, a library error without a code). */
export const UNKNOWN_ERROR_CODE = 'ERR_UNKNOWN'

/** Where in a run a {@link RunError} happened. */
export type RunErrorKind =
  /** A batch found no peer for one of its shard calls before its deadline: its requests are lost. */
  | 'batch'
  /** A timeline entry threw while it was applied. */
  | 'timeline'
  /** A step of the reconfiguration loop threw. */
  | 'reconfiguration'
  /** A discovery round, or a dial to a peer it found, failed while the run looked for peers. */
  | 'discovery'
  /** A copy could not be released on a live peer: its tiles stay taken there. */
  | 'release'

/** One failure of a run. */
export interface RunError {
  kind: RunErrorKind
  /** Machine-readable code of the failure (`ERR_BATCH_DEADLINE`, a wire code such as `TIMEOUT`…), or {@link UNKNOWN_ERROR_CODE}. */
  code: string
  /** Class name of the error. */
  name: string
  message: string
  shardId?: string
  peerId?: string
  /** `batch`: the first request of the batch. */
  firstRequest?: number
  /** `batch`: the requests of the batch. */
  requestCount?: number
  /** `timeline`: the entry's label. */
  label?: string
}

/** An upload of a shard copy that failed (the shard went to another peer, or was placed again later). */
export interface UploadFailure {
  shardId: string
  peerId: string
  /** Machine-readable code of the failure, or {@link UNKNOWN_ERROR_CODE}. */
  code: string
  /** Class name of the error. */
  name: string
  message: string
}

/** Context a {@link RunError} may carry besides what the error itself says. */
export type RunErrorContext = Pick<RunError, 'shardId' | 'peerId' | 'firstRequest' | 'requestCount' | 'label'>

function errorFields (err: unknown): { code: string, name: string, message: string } {
  return {
    code: errorCodeOf(err) ?? UNKNOWN_ERROR_CODE,
    name: err instanceof Error ? err.name : 'Error',
    message: err instanceof Error ? err.message : String(err)
  }
}

/** A run error of `kind` for the thrown `err`. */
export function runErrorOf (kind: RunErrorKind, err: unknown, context: RunErrorContext = {}): RunError {
  return { kind, ...errorFields(err), ...context }
}

/** An upload failure of the copy of `shardId` on `peerId`. */
export function uploadFailureOf (shardId: string, peerId: string, err: unknown): UploadFailure {
  return { shardId, peerId, ...errorFields(err) }
}

/** One line for a person. */
export function describeRunError (e: RunError): string {
  switch (e.kind) {
    case 'batch': {
      const first = e.firstRequest ?? 0
      return `requests ${first}…${first + (e.requestCount ?? 1) - 1}: ${e.message}`
    }
    case 'timeline': return `timeline: ${e.label ?? '?'} failed: ${e.message}`
    case 'reconfiguration': return `reconfiguration step failed: ${e.name}: ${e.message}`
    case 'discovery': return `discovery${e.peerId !== undefined ? ` of ${e.peerId}` : ''} failed: ${e.name}: ${e.message}`
    case 'release': return `release of ${e.shardId ?? '?'} on ${e.peerId ?? '?'} failed: ${e.name}: ${e.message}`
  }
}

/** One line for a person: `shard → peer: Name: message`. */
export function describeUploadFailure (f: UploadFailure): string {
  return `${f.shardId} → ${f.peerId}: ${f.name}: ${f.message}`
}
