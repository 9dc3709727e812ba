import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { inferReachability } from '../src/index.js'

const PEER = '12D3KooWLkPCSY4B6yhgkTMo9sgUnKx55oZpB5zb3m8LQ8wFDTZY'
const RELAY = '12D3KooWJiNTg9aXrg2d9g9acBy7tGtCQDAtv2Gv6iEgFG2RnZhd'

describe('inferReachability', () => {
  it('no verified address: unknown', () => {
    assert.equal(inferReachability([], 'public'), 'unknown')
    assert.equal(inferReachability([], 'local'), 'unknown')
  })

  it('a loopback address is public only on a local network', () => {
    const addrs = [multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`)]
    assert.equal(inferReachability(addrs, 'local'), 'public')
    assert.equal(inferReachability(addrs, 'public'), 'unknown')
  })

  it('a verified public address: public', () => {
    assert.equal(inferReachability([multiaddr(`/ip4/8.8.8.8/tcp/4001/p2p/${PEER}`)], 'public'), 'public')
  })

  it('only relayed addresses: private', () => {
    const relayed = multiaddr(`/ip4/8.8.8.8/tcp/4001/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`)
    assert.equal(inferReachability([relayed], 'public'), 'private')
    assert.equal(inferReachability([relayed, multiaddr('/ip4/10.0.0.2/tcp/1')], 'public'), 'private')
  })
})
