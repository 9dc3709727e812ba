/**
 * The coordination messages of `/tessera/holepunch/1.0.0`, one JSON object per length-prefixed frame:
 *
 * 1. the starter sends `connect` with its candidate (the public address its NAT maps the punch port to);
 * 2. the responder answers `connect` with its own candidate (and how long it spent preparing, so the starter can measure the
 *    relay's round trip) or `reject`;
 * 3. the starter sends `sync` (or `reject`) and starts its simultaneous open half a round trip later; the
 *    responder starts as soon as `sync` arrives, so both SYNs leave at about the same time.
 */
import { MAX_MESSAGE_SIZE_BYTES, MESSAGE_VERSION } from './constants.js'
import { InvalidCandidateError, InvalidHolePunchMessageError } from './errors.js'
import { formatCandidate, parseCandidate } from './candidates.js'
import type { Candidate } from './candidates.js'

/** Why a side declines an attempt. */
export type RejectReason = 'busy' | 'unpredictable-mapping' | 'observation-failed' | 'no-observer' | 'invalid-message'

const REJECT_REASONS: ReadonlySet<string> = new Set<RejectReason>(['busy', 'unpredictable-mapping', 'observation-failed', 'no-observer', 'invalid-message'])

export interface ConnectMessage {
  type: 'connect'
  /** Where the sender's NAT forwards flows to its punch socket. */
  candidate: Candidate
  /** The starter's attempt number, 1-based (absent from the responder). */
  attempt?: number
  /** Time the responder spent between reading the starter's `connect` and sending its own (absent from the starter). */
  elapsedMs?: number
}

export interface SyncMessage {
  type: 'sync'
}

export interface RejectMessage {
  type: 'reject'
  reason: RejectReason
  /** The starter's attempt number, when the starter rejects before its `connect`. */
  attempt?: number
}

export type HolePunchMessage = ConnectMessage | SyncMessage | RejectMessage

/** Largest attempt number a message may carry. */
const MAX_ATTEMPT = 1000

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Encodes a message; throws if it would exceed the size limit or carries bad fields. */
export function encodeMessage (message: HolePunchMessage): Uint8Array {
  let body: Record<string, unknown>
  switch (message.type) {
    case 'connect':
      body = { v: MESSAGE_VERSION, type: 'connect', candidate: formatCandidate(message.candidate) }
      if (message.attempt !== undefined) body.attempt = message.attempt
      if (message.elapsedMs !== undefined) body.elapsedMs = Math.max(0, Math.round(message.elapsedMs))
      break
    case 'sync':
      body = { v: MESSAGE_VERSION, type: 'sync' }
      break
    case 'reject':
      body = { v: MESSAGE_VERSION, type: 'reject', reason: message.reason }
      if (message.attempt !== undefined) body.attempt = message.attempt
      break
  }
  const bytes = encoder.encode(JSON.stringify(body))
  if (bytes.byteLength > MAX_MESSAGE_SIZE_BYTES) throw new InvalidHolePunchMessageError(`message of ${bytes.byteLength} bytes exceeds ${MAX_MESSAGE_SIZE_BYTES}`)
  return bytes
}

function parseAttempt (value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_ATTEMPT) {
    throw new InvalidHolePunchMessageError(`attempt must be an integer in 1–${MAX_ATTEMPT}`)
  }
  return value
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Decodes and validates a message. Every failure — oversize, not UTF-8, not JSON, unknown version or type, bad
 * fields, bad candidates — is an {@link InvalidHolePunchMessageError}.
 */
export function decodeMessage (bytes: Uint8Array, allowPrivateCandidates = false): HolePunchMessage {
  if (bytes.byteLength > MAX_MESSAGE_SIZE_BYTES) throw new InvalidHolePunchMessageError(`message of ${bytes.byteLength} bytes exceeds ${MAX_MESSAGE_SIZE_BYTES}`)
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch (err) {
    throw new InvalidHolePunchMessageError('message is not UTF-8 JSON', { cause: err })
  }
  if (!isRecord(value)) throw new InvalidHolePunchMessageError('message is not a JSON object')
  if (value.v !== MESSAGE_VERSION) throw new InvalidHolePunchMessageError(`unsupported message version ${JSON.stringify(value.v)}`)
  switch (value.type) {
    case 'connect': {
      if (typeof value.candidate !== 'string') throw new InvalidHolePunchMessageError('connect needs a candidate string')
      let candidate: Candidate
      try {
        candidate = parseCandidate(value.candidate, allowPrivateCandidates)
      } catch (err) {
        if (err instanceof InvalidCandidateError) throw new InvalidHolePunchMessageError(`bad candidate: ${err.message}`, { cause: err })
        throw err
      }
      const message: ConnectMessage = { type: 'connect', candidate }
      const attempt = parseAttempt(value.attempt)
      if (attempt !== undefined) message.attempt = attempt
      if (value.elapsedMs !== undefined) {
        if (typeof value.elapsedMs !== 'number' || !Number.isFinite(value.elapsedMs) || value.elapsedMs < 0) {
          throw new InvalidHolePunchMessageError('elapsedMs must be a non-negative number')
        }
        message.elapsedMs = value.elapsedMs
      }
      return message
    }
    case 'sync':
      return { type: 'sync' }
    case 'reject': {
      if (typeof value.reason !== 'string' || !REJECT_REASONS.has(value.reason)) {
        throw new InvalidHolePunchMessageError(`unknown reject reason ${JSON.stringify(value.reason)}`)
      }
      const message: RejectMessage = { type: 'reject', reason: value.reason as RejectReason }
      const attempt = parseAttempt(value.attempt)
      if (attempt !== undefined) message.attempt = attempt
      return message
    }
    default:
      throw new InvalidHolePunchMessageError(`unknown message type ${JSON.stringify(value.type)}`)
  }
}
