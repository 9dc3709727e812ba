import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { observedEndpoint } from '../src/observe.js'

describe('observed endpoint', () => {
  it('reads an IPv4 TCP observed address', () => {
    assert.deepEqual(observedEndpoint({ observedAddr: multiaddr('/ip4/41.0.0.1/tcp/40123') }), { address: '41.0.0.1', port: 40123 })
  })

  it('gives nothing for a missing, IPv6, UDP or DNS observed address', () => {
    assert.equal(observedEndpoint({}), undefined)
    assert.equal(observedEndpoint({ observedAddr: multiaddr('/ip6/2001:db8::1/tcp/4001') }), undefined)
    assert.equal(observedEndpoint({ observedAddr: multiaddr('/ip4/41.0.0.1/udp/4001/quic-v1') }), undefined)
    assert.equal(observedEndpoint({ observedAddr: multiaddr('/dns4/example.org/tcp/4001') }), undefined)
  })
})
