/**
 * Frames of the top-level messages (a shard request, a shard reply, a metrics sample): each is decoded and encoded
 * the same way — within the frame size limit, through its generated protons codec, checked in both directions so
 * that a node never sends what its peer would refuse.
 */
import type { Uint8ArrayList } from 'uint8arraylist'
import { MAX_FRAME_SIZE_BYTES } from './constants.js'
import { FrameTooLargeError, MalformedMessageError } from './errors.js'

/** The generated protons codec of one top-level message. */
export interface FrameCodec<M> {
  encode: (msg: M) => Uint8Array
  decode: (frame: Uint8Array | Uint8ArrayList) => M
}

/** Decoding and encoding of one message type. */
export interface MessageFrames<T> {
  /** Size-checks and decodes a frame, then validates the message. */
  decode: (frame: Uint8Array | Uint8ArrayList) => T
  /** Validates the value, then encodes it, refusing a frame the other side would refuse as too large. */
  encode: (value: T) => Uint8Array
}

/**
 * The frames of one message type: `check` validates a decoded raw message into its value, `toMessage` validates a
 * value into its raw message; `what` names the message in errors.
 */
export function messageFrames<T, M> (codec: FrameCodec<M>, what: string, check: (msg: M) => T, toMessage: (value: T) => M): MessageFrames<T> {
  return {
    decode: (frame) => {
      checkFrameSize(frame)
      let msg: M
      try {
        msg = codec.decode(frame)
      } catch (err) {
        throw new MalformedMessageError(`undecodable ${what}: ${err instanceof Error ? err.message : String(err)}`)
      }
      return check(msg)
    },
    encode: (value) => {
      const frame = codec.encode(toMessage(value))
      checkFrameSize(frame)
      return frame
    }
  }
}

function checkFrameSize (frame: Uint8Array | Uint8ArrayList): void {
  if (frame.byteLength > MAX_FRAME_SIZE_BYTES) {
    throw new FrameTooLargeError(`frame of ${frame.byteLength} bytes exceeds ${MAX_FRAME_SIZE_BYTES}`)
  }
}
