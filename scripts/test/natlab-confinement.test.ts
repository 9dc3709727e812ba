import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { findLeaks } from '../natlab/confinement.js'
import type { ConfinementSnapshot, NamespaceSnapshot } from '../natlab/confinement.js'
import { planTopology } from '../natlab/topology.js'

const plan = planTopology({ prefix: 'tl', publicPeers: 1, routers: [{ name: 'cone1', nat: 'cone', lanPeers: 1 }] })
const lo = { ifname: 'lo', link_type: 'loopback' }

/** A snapshot of the lab as `up` builds it: every veth's peer in a lab namespace, default route only on the LAN peer. */
function confined (): ConfinementSnapshot {
  const veth = (ifname: string, nsid: number): NamespaceSnapshot['links'][number] => ({ ifname, link_type: 'ether', link_netnsid: nsid, linkinfo: { info_kind: 'veth' } })
  const publicHost = (address: string): NamespaceSnapshot => ({
    links: [lo, veth('eth0', 0)],
    routes4: [{ dst: `${address.split('.')[0]}.0.0.0/8`, dev: 'eth0' }, { dst: '41.0.0.0/8', dev: 'eth0' }, { dst: address, dev: 'eth0', table: 'local', type: 'local' }],
    routes6: [],
    nsids: [{ nsid: 0, name: 'tl-inet' }]
  })
  return {
    namespaces: {
      'tl-inet': {
        links: [lo, { ifname: 'pub', link_type: 'ether', linkinfo: { info_kind: 'bridge' } }, veth('relay', 1), veth('stun', 2), veth('pub1', 3), veth('cone1', 4)],
        routes4: [],
        routes6: [],
        nsids: [{ nsid: 1, name: 'tl-relay' }, { nsid: 2, name: 'tl-stun' }, { nsid: 3, name: 'tl-pub1' }, { nsid: 4, name: 'tl-cone1' }]
      },
      'tl-relay': publicHost('11.0.0.1'),
      'tl-stun': publicHost('12.0.0.1'),
      'tl-pub1': publicHost('13.0.0.1'),
      'tl-cone1': {
        links: [lo, veth('wan', 0), { ifname: 'lan', link_type: 'ether', linkinfo: { info_kind: 'bridge' } }, veth('lan-a', 1)],
        routes4: [{ dst: '11.0.0.0/8', dev: 'wan' }, { dst: '192.168.1.0/24', dev: 'lan' }],
        routes6: [],
        nsids: [{ nsid: 0, name: 'tl-inet' }, { nsid: 1, name: 'tl-cone1-a' }]
      },
      'tl-cone1-a': {
        links: [lo, veth('eth0', 0)],
        routes4: [{ dst: 'default', gateway: '192.168.1.1', dev: 'eth0' }, { dst: '192.168.1.0/24', dev: 'eth0' }],
        routes6: [],
        nsids: [{ nsid: 0, name: 'tl-cone1' }]
      }
    },
    host: {
      links: [lo, { ifname: 'eth0', link_type: 'ether' }, { ifname: 'veth9', link_netnsid: 0, linkinfo: { info_kind: 'veth' } }],
      nsids: [{ nsid: 0, name: 'docker-thing' }]
    }
  }
}

describe('natlab confinement check', () => {
  it('finds nothing in a lab built as planned', () => {
    assert.deepEqual(findLeaks(plan, confined()), [])
  })

  it('flags a veth whose peer is in the host namespace (an unnamed nsid)', () => {
    const snap = confined()
    snap.namespaces['tl-pub1']?.links.push({ ifname: 'out0', link_netnsid: 7, linkinfo: { info_kind: 'veth' } })
    const leaks = findLeaks(plan, snap)
    assert.equal(leaks.length, 1)
    assert.match(leaks[0], /tl-pub1: veth out0 leads to namespace id 7/)
  })

  it('flags a veth into a namespace of another lab', () => {
    const snap = confined()
    snap.namespaces['tl-inet']?.nsids.push({ nsid: 9, name: 'tl2-pub1' })
    snap.namespaces['tl-inet']?.links.push({ ifname: 'x', link_netnsid: 9, linkinfo: { info_kind: 'veth' } })
    assert.match(findLeaks(plan, snap).join('\n'), /veth x leads to namespace tl2-pub1/)
  })

  it('flags links that are neither veth nor bridge (a physical NIC, a tunnel, macvlan)', () => {
    const snap = confined()
    snap.namespaces['tl-relay']?.links.push({ ifname: 'ens3', link_type: 'ether' }, { ifname: 'mv0', link_type: 'ether', linkinfo: { info_kind: 'macvlan' } })
    const leaks = findLeaks(plan, snap)
    assert.equal(leaks.length, 2)
    assert.match(leaks.join('\n'), /link ens3 is of kind ether/)
    assert.match(leaks.join('\n'), /link mv0 is of kind macvlan/)
  })

  it('flags default routes on public hosts and routers, and LAN defaults not via their router', () => {
    const snap = confined()
    snap.namespaces['tl-pub1']?.routes4.push({ dst: 'default', dev: 'eth0' })
    snap.namespaces['tl-cone1']?.routes4.push({ dst: 'default', gateway: '13.0.0.1', dev: 'wan' })
    const lan = snap.namespaces['tl-cone1-a']
    if (lan !== undefined) lan.routes4[0] = { dst: 'default', gateway: '192.168.1.9', dev: 'eth0' }
    snap.namespaces['tl-stun']?.routes6.push({ dst: 'default', dev: 'eth0' })
    const leaks = findLeaks(plan, snap)
    assert.equal(leaks.length, 4)
    for (const ns of ['tl-pub1', 'tl-cone1', 'tl-cone1-a', 'tl-stun']) assert.ok(leaks.some((l) => l.startsWith(`${ns}:`)), ns)
  })

  it('flags routes over devices that are not lab links, and missing namespaces', () => {
    const snap = confined()
    snap.namespaces['tl-relay']?.routes4.push({ dst: '8.0.0.0/8', dev: 'tun0' })
    delete snap.namespaces['tl-stun']
    const leaks = findLeaks(plan, snap)
    assert.equal(leaks.length, 2)
    assert.match(leaks.join('\n'), /uses device tun0/)
    assert.match(leaks.join('\n'), /tl-stun: namespace missing/)
  })

  it('flags a host-namespace veth that leads into the lab', () => {
    const snap = confined()
    snap.host.nsids.push({ nsid: 3, name: 'tl-pub1' })
    snap.host.links.push({ ifname: 'leak', link_netnsid: 3, linkinfo: { info_kind: 'veth' } })
    assert.deepEqual(findLeaks(plan, snap), ['host namespace: veth leak leads into lab namespace tl-pub1'])
  })
})
