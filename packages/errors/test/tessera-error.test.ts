import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError, describeError, errorCodeOf, hasErrorCode } from '../src/index.js'

class ExampleFailureError extends TesseraError {
  static override readonly code = 'ERR_EXAMPLE_FAILURE'
}

class ExampleWithFieldsError extends TesseraError {
  static override readonly code = 'ERR_EXAMPLE_FIELDS'
  constructor (readonly amount: number, options?: { cause?: unknown }) {
    super(`amount ${amount} too large`, options)
  }
}

describe('TesseraError', () => {
  it('takes name from the subclass and code from its static field', () => {
    const err = new ExampleFailureError('went wrong')
    assert.equal(err.name, 'ExampleFailureError')
    assert.equal(err.code, 'ERR_EXAMPLE_FAILURE')
    assert.equal(err.message, 'went wrong')
    assert.ok(err instanceof TesseraError)
    assert.ok(err instanceof Error)
  })

  it('keeps the cause and subclass fields', () => {
    const cause = new Error('disk full')
    const err = new ExampleWithFieldsError(7, { cause })
    assert.equal(err.cause, cause)
    assert.equal(err.amount, 7)
    assert.equal(err.code, 'ERR_EXAMPLE_FIELDS')
  })

  it('the base class has its own code', () => {
    assert.equal(new TesseraError('x').code, 'ERR_TESSERA')
  })
})

describe('error codes and descriptions', () => {
  it('reads a string code from any object and nothing else', () => {
    assert.equal(errorCodeOf(new ExampleFailureError()), 'ERR_EXAMPLE_FAILURE')
    assert.equal(errorCodeOf({ code: 'ENOENT' }), 'ENOENT')
    assert.equal(errorCodeOf({ code: 5 }), undefined)
    assert.equal(errorCodeOf('ERR_X'), undefined)
    assert.equal(errorCodeOf(null), undefined)
    assert.ok(hasErrorCode({ code: 'EADDRINUSE' }, 'EADDRINUSE'))
    assert.ok(!hasErrorCode(new Error('x'), 'EADDRINUSE'))
  })

  it('describes the cause chain on one line without repeating a message', () => {
    const root = new Error('EACCES: permission denied, open /data/LOCK')
    const mid = new ExampleFailureError('database failed to open', { cause: root })
    const top = new ExampleFailureError('cannot open the long-term memory at /data', { cause: mid })
    assert.equal(describeError(top), 'cannot open the long-term memory at /data: database failed to open: EACCES: permission denied, open /data/LOCK')
    assert.equal(describeError('plain'), 'plain')
    const same = new Error('x', { cause: new Error('x') })
    assert.equal(describeError(same), 'x')
  })
})
