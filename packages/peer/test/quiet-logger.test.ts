import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { disable, enable } from '@libp2p/logger'
import { quietLogger } from '../src/quiet-logger.js'

describe('quietLogger', () => {
  after(() => { disable() })

  it('hands out a logger that writes nothing for a namespace DEBUG leaves off, and a real one for one it turns on', () => {
    enable('tessera:test:on,tessera:test:off:child,tessera:test:errors:error')
    assert.equal(quietLogger('tessera:test:on').enabled, true)
    const off = quietLogger('tessera:test:off')
    assert.equal(off.enabled, false)
    off('nothing is written')
    off.error('nor this')
    // A scope is checked by its own name: the child of a quiet logger can be on.
    assert.equal(off.newScope('child').enabled, true)
    assert.equal(off.newScope('other').enabled, false)
    // A namespace whose errors alone are on gets a real logger, so its errors are written.
    const errorsOnly = quietLogger('tessera:test:errors')
    assert.equal(errorsOnly.enabled, false)
    assert.equal((errorsOnly.error as unknown as { enabled: boolean }).enabled, true)
  })
})
