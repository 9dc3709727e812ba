import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isPrivateIp } from '@libp2p/utils'
import fc from 'fast-check'
import { InvalidTopologyError } from '../natlab/errors.js'
import { routerRuleset } from '../natlab/ruleset.js'
import { lossRuleset, validateNetem } from '../natlab/build.js'
import { planNamespaces, planTopology } from '../natlab/topology.js'

describe('natlab topology plan', () => {
  const plan = planTopology({ prefix: 'tl' })

  it('has the relay, the STUN host, public peers, cone and symmetric routers and their LAN peers', () => {
    assert.deepEqual(Object.keys(plan.hosts), ['relay', 'stun', 'pub1', 'pub2', 'cone1', 'cone2', 'sym1', 'sym2', 'cone1-a', 'cone1-b', 'cone2-a', 'sym1-a', 'sym1-b', 'sym2-a'])
    assert.equal(plan.hosts.cone1.nat, 'cone')
    assert.equal(plan.hosts.sym1.nat, 'symmetric')
    assert.equal(plan.hosts['sym1-b'].router, 'sym1')
  })

  it('gives every public host and router WAN its own /8 that libp2p deems public', () => {
    const addresses = Object.values(plan.hosts).flatMap((h) => h.publicAddress === undefined ? [] : [h.publicAddress])
    assert.equal(addresses.length, 8)
    assert.equal(new Set(addresses.map((a) => a.split('.')[0])).size, addresses.length, 'first octets are distinct')
    for (const address of addresses) assert.equal(isPrivateIp(address), false, `${address} must be public to libp2p`)
    assert.deepEqual(plan.publicBlocks.map((b) => b.split('.')[0]).sort(), addresses.map((a) => a.split('.')[0]).sort())
  })

  it('puts LAN peers on private addresses inside their router subnet, gateway = router LAN address', () => {
    for (const host of Object.values(plan.hosts).filter((h) => h.role === 'lan')) {
      const router = plan.hosts[host.router ?? '']
      assert.equal(isPrivateIp(host.lanAddress ?? ''), true)
      assert.equal(host.gateway, router.lanAddress)
      assert.equal(host.lanSubnet, router.lanSubnet)
      assert.equal(host.lanAddress?.split('.').slice(0, 3).join('.'), router.lanAddress?.split('.').slice(0, 3).join('.'))
      assert.ok(router.lanPeers?.includes(host.name))
    }
  })

  it('names every namespace <prefix>-<name>, the switch included, all distinct', () => {
    const namespaces = planNamespaces(plan)
    assert.equal(namespaces[0], 'tl-inet')
    assert.equal(new Set(namespaces).size, namespaces.length)
    for (const ns of namespaces) assert.ok(ns.startsWith('tl-'))
  })

  it('keeps public addresses /8-distinct and public for any number of peers and routers that fit', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 26 }), fc.array(fc.constantFrom('cone' as const, 'symmetric' as const), { minLength: 0, maxLength: 59 }), (publicPeers, kinds) => {
      const p = planTopology({ prefix: 'x', publicPeers, routers: kinds.map((nat, i) => ({ name: `r${i}`, nat, lanPeers: 1 + (i % 3) })) })
      const addresses = Object.values(p.hosts).flatMap((h) => h.publicAddress === undefined ? [] : [h.publicAddress])
      assert.equal(addresses.length, 2 + publicPeers + kinds.length)
      assert.equal(new Set(addresses.map((a) => a.split('.')[0])).size, addresses.length)
      for (const address of addresses) assert.equal(isPrivateIp(address), false)
      const lanSubnets = Object.values(p.hosts).filter((h) => h.role === 'router').map((h) => h.lanSubnet)
      assert.equal(new Set(lanSubnets).size, lanSubnets.length)
    }), { seed: 42, numRuns: 50 })
  })

  it('rejects prefixes that could match another lab, and topologies that do not fit', () => {
    for (const prefix of ['', 'tl-x', 'TL', '1tl', 'abcdefghijklm']) assert.throws(() => planTopology({ prefix }), (err: unknown) => err instanceof InvalidTopologyError && /prefix/.test(err.message))
    assert.throws(() => planTopology({ prefix: 'tl', publicPeers: 27 }), InvalidTopologyError)
    assert.throws(() => planTopology({ prefix: 'tl', routers: [{ name: 'inet', nat: 'cone' }] }), InvalidTopologyError)
    assert.throws(() => planTopology({ prefix: 'tl', routers: [{ name: 'a', nat: 'cone' }, { name: 'a', nat: 'cone' }] }), InvalidTopologyError)
    assert.throws(() => planTopology({ prefix: 'tl', routers: [{ name: 'a', nat: 'cone', lanPeers: 0 }] }), InvalidTopologyError)
    assert.throws(() => planTopology({ prefix: 'tl', routers: [{ name: 'averylongname', nat: 'cone' }] }), InvalidTopologyError)
  })
})

describe('natlab rulesets', () => {
  it('masquerades persistently on cone routers and fully randomly on symmetric ones, dropping unsolicited and invalid packets', () => {
    const cone = routerRuleset('cone')
    const sym = routerRuleset('symmetric')
    assert.match(cone, /oifname "wan" masquerade persistent\n/)
    assert.match(sym, /oifname "wan" masquerade fully-random\n/)
    for (const rules of [cone, sym]) {
      assert.match(rules, /iifname "wan" ct state new drop/)
      assert.equal(rules.match(/ct state invalid drop/g)?.length, 2)
      assert.match(rules, /hook forward priority filter; policy drop;/)
      assert.doesNotMatch(rules, /reject/)
    }
  })

  it('turns a loss percentage into two per-link drop decisions out of 10000', () => {
    const rules = lossRuleset(0.5)
    assert.equal(rules.match(/numgen random mod 10000 < 50 counter name "dropped" drop/g)?.length, 2)
  })

  it('rejects impossible impairments', () => {
    assert.throws(() => validateNetem({ lossPercent: 101 }), InvalidTopologyError)
    assert.throws(() => validateNetem({ delayMs: -1 }), InvalidTopologyError)
    assert.deepEqual(validateNetem({}), { delayMs: 0, lossPercent: 0 })
  })
})
