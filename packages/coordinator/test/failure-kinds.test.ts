import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  BusyError, DeviceMismatchError, DuplicateShardError, errorFromReply, ErrorCode, InsufficientCapacityError,
  LimitedConnectionRefusedError, RequestTimeoutError, UnknownShardError
} from '@tessera/wire'
import { BadShardReplyError } from '../src/errors.js'
import { copyUnusable, peerFailed } from '../src/failure-kinds.js'

describe('failure kinds', () => {
  it('an upload refused for want of capacity, for another device, as a duplicate or over a limited connection leaves the peer in the run', () => {
    for (const err of [new InsufficientCapacityError(), new DeviceMismatchError(), new DuplicateShardError(), new LimitedConnectionRefusedError()]) {
      assert.equal(peerFailed(err), false, err.name)
    }
    // The same refusal as it arrives from a peer: an error reply carrying the wire code.
    assert.equal(peerFailed(errorFromReply({ requestId: 0, code: ErrorCode.INSUFFICIENT_CAPACITY, message: 'no tiles' })), false)
  })

  it('a timeout, a transport error, BUSY or an error without a code may mean the peer is gone', () => {
    for (const err of [new RequestTimeoutError(), new Error('stream reset'), new BusyError(), 'a string']) assert.equal(peerFailed(err), true, String(err))
  })

  it('a copy missing on its peer or answering the wrong shape is unusable; a slow one is not', () => {
    assert.equal(copyUnusable(new UnknownShardError()), true)
    assert.equal(copyUnusable(new BadShardReplyError('3 values, expected 4')), true)
    assert.equal(copyUnusable(new RequestTimeoutError()), false)
    assert.equal(copyUnusable(new Error('stream reset')), false)
  })
})
