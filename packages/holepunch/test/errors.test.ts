import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StreamResetError, UnsupportedProtocolError } from '@libp2p/interface'
import { TesseraError, hasErrorCode } from '@tessera/errors'
import * as errors from '../src/errors.js'
import { CoordinationFailedError, HolePunchError, HolePunchRejectedError, ObservationFailedError, UnpredictableMappingError } from '../src/errors.js'
import { isLibp2pError } from '../src/libp2p-errors.js'

describe('hole-punch errors', () => {
  it('are TesseraErrors and HolePunchErrors, named after their class, each with its own code', () => {
    const classes = Object.values(errors).filter((value): value is typeof HolePunchError => typeof value === 'function')
    const codes = new Set<string>()
    for (const ErrorClass of classes) {
      const err = ErrorClass === errors.HolePunchRejectedError || ErrorClass === errors.TcpConnectError
        ? new (ErrorClass as typeof errors.TcpConnectError)('why', 'message')
        : new ErrorClass('message')
      assert.ok(err instanceof TesseraError && err instanceof HolePunchError, ErrorClass.name)
      assert.equal(err.name, ErrorClass.name)
      assert.ok(hasErrorCode(err, ErrorClass.code), ErrorClass.name)
      codes.add(ErrorClass.code)
    }
    assert.equal(codes.size, classes.length, 'no two classes share a code')
  })

  it('say whether a new attempt with fresh ports may succeed', () => {
    assert.equal(new ObservationFailedError('no observed address').retryable, true)
    assert.equal(new UnpredictableMappingError('symmetric').retryable, false)
    assert.equal(new HolePunchRejectedError('observation-failed').retryable, true)
    assert.equal(new HolePunchRejectedError('busy').retryable, false)
    // A coordination stream that broke is worth another attempt; a peer without the protocol is not.
    assert.equal(new CoordinationFailedError('reset', { cause: new StreamResetError() }).retryable, true)
    assert.equal(new CoordinationFailedError('no protocol', { cause: new UnsupportedProtocolError() }).retryable, false)
  })
})

describe('isLibp2pError', () => {
  it('matches by class name, so a second copy of a libp2p module still matches', () => {
    // What a duplicate copy of @libp2p/interface would throw: a different class with the same name.
    class UnsupportedProtocolErrorCopy extends Error { override name = 'UnsupportedProtocolError' }
    assert.equal(isLibp2pError(new UnsupportedProtocolError(), UnsupportedProtocolError), true)
    assert.equal(isLibp2pError(new UnsupportedProtocolErrorCopy(), UnsupportedProtocolError), true)
    assert.equal(isLibp2pError(new StreamResetError(), UnsupportedProtocolError), false)
    assert.equal(isLibp2pError('UnsupportedProtocolError', UnsupportedProtocolError), false)
    assert.equal(isLibp2pError(undefined, UnsupportedProtocolError), false)
  })
})
