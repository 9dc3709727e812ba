/**
 * The lab's topology and address plan, computed without touching the system.
 *
 * Public segment: one bridge (`pub`) in the switch namespace `<prefix>-inet`. Every public host and every router's
 * WAN side gets its own /8 (`<octet>.0.0.1/8`) with on-link routes to the other lab /8s and no default route:
 * AutoNAT groups answers by first octet, so one /8 per host makes each host its own "network segment", and the
 * blocks (11–38 for public hosts, 41–99 for routers) are outside every range libp2p deems private. These
 * addresses exist only inside the lab. LANs are private /24s (`192.168.<n>.0/24`, router `.1`, peers `.2`, …);
 * LAN peers' only default route points at their router.
 */
import { DEFAULT_PUBLIC_PEERS, HOST_NAME_PATTERN, PREFIX_PATTERN, PUBLIC_OCTETS, ROUTER_OCTETS, STUN_PORT } from './constants.js'
import { InvalidTopologyError } from './errors.js'

/** "cone": endpoint-independent mapping (`masquerade persistent`); "symmetric": a new port per flow (`fully-random`). */
export type NatKind = 'cone' | 'symmetric'

/** What a lab host is: on the public segment, a NAT router, or a peer on a router's LAN. */
export type HostRole = 'public' | 'router' | 'lan'

/** One NAT router of the lab. */
export interface RouterInit {
  /** Host name, `[a-z][a-z0-9]{0,9}`. */
  name: string
  nat: NatKind
  /** LAN peers behind it, named `<router>-a`, `<router>-b`, … (default 1, at most 26). */
  lanPeers?: number
}

/** What to build. */
export interface TopologyInit {
  /** Namespace name prefix (default `tl`). */
  prefix: string
  /** Public peers `pub1` … `pubN` besides `relay` and `stun` (default 2). */
  publicPeers?: number
  /** NAT routers (default cone1 with 2 peers, cone2 with 1, sym1 with 2, sym2 with 1). */
  routers?: RouterInit[]
}

/** One host of the lab: a network namespace with its addresses. */
export interface LabHost {
  name: string
  /** Network namespace, `<prefix>-<name>`: run things there with `ip netns exec`. */
  namespace: string
  role: HostRole
  /** Public hosts: their address; routers: their WAN address (the address their LAN peers are mapped to). */
  publicAddress?: string
  /** Routers: their LAN-side address; LAN peers: their own address. */
  lanAddress?: string
  /** Routers and LAN peers: the LAN, e.g. `192.168.1.0/24`. */
  lanSubnet?: string
  /** LAN peers: their default gateway (the router's LAN address). */
  gateway?: string
  /** LAN peers: the router they sit behind. */
  router?: string
  /** Routers and their LAN peers: the router's NAT behaviour. */
  nat?: NatKind
  /** Routers: their LAN peers. */
  lanPeers?: string[]
}

/** The full plan of a lab. */
export interface TopologyPlan {
  prefix: string
  /** The namespace holding the public bridge; not a host: nothing runs there. */
  switchNamespace: string
  /** Hosts by name, in build order: public hosts, routers, LAN peers. */
  hosts: Record<string, LabHost>
  /** Every /8 of the public segment, e.g. `11.0.0.0/8`. */
  publicBlocks: string[]
  /** The lab's STUN responder. */
  stun: { host: string, address: string, port: number }
}

/** Interface names inside the namespaces. */
export const IFACE = {
  /** Public hosts' and LAN peers' only interface. */
  host: 'eth0',
  /** Routers' public side. */
  wan: 'wan',
  /** Routers' LAN bridge. */
  lan: 'lan',
  /** The public segment's bridge in the switch namespace. */
  publicBridge: 'pub'
} as const

/** The routers a lab has unless told otherwise. */
export const DEFAULT_ROUTERS: readonly RouterInit[] = [
  { name: 'cone1', nat: 'cone', lanPeers: 2 },
  { name: 'cone2', nat: 'cone', lanPeers: 1 },
  { name: 'sym1', nat: 'symmetric', lanPeers: 2 },
  { name: 'sym2', nat: 'symmetric', lanPeers: 1 }
]

const RESERVED_NAMES = new Set(['inet', 'netemcheck'])

/** Throws {@link InvalidTopologyError} unless `prefix` is a valid lab prefix. */
export function validatePrefix (prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new InvalidTopologyError(`invalid NAT lab prefix ${JSON.stringify(prefix)}: use 1–12 lowercase letters and digits starting with a letter (no hyphens, so one lab's prefix never matches another's namespaces)`)
  }
  return prefix
}

/** Namespace name of a host (or of the switch, `inet`). */
export function namespaceOf (prefix: string, name: string): string {
  return `${prefix}-${name}`
}

/** Computes the lab's hosts and addresses. */
export function planTopology (init: TopologyInit): TopologyPlan {
  const prefix = validatePrefix(init.prefix)
  const publicPeers = init.publicPeers ?? DEFAULT_PUBLIC_PEERS
  const routers = init.routers ?? DEFAULT_ROUTERS
  const publicNames = ['relay', 'stun']
  if (!Number.isInteger(publicPeers) || publicPeers < 0) {
    throw new InvalidTopologyError(`publicPeers must be a non-negative integer, got ${publicPeers}`)
  }
  for (let i = 1; i <= publicPeers; i++) publicNames.push(`pub${i}`)
  if (PUBLIC_OCTETS.first + publicNames.length - 1 > PUBLIC_OCTETS.last) {
    throw new InvalidTopologyError(`at most ${PUBLIC_OCTETS.last - PUBLIC_OCTETS.first - 1} public peers fit the address plan, got ${publicPeers}`)
  }
  if (ROUTER_OCTETS.first + routers.length - 1 > ROUTER_OCTETS.last) {
    throw new InvalidTopologyError(`at most ${ROUTER_OCTETS.last - ROUTER_OCTETS.first + 1} routers fit the address plan, got ${routers.length}`)
  }

  const hosts: Record<string, LabHost> = {}
  const publicBlocks: string[] = []
  const add = (host: LabHost): void => {
    if (hosts[host.name] !== undefined || RESERVED_NAMES.has(host.name)) {
      throw new InvalidTopologyError(`host name ${JSON.stringify(host.name)} is used twice or reserved`)
    }
    hosts[host.name] = host
  }

  publicNames.forEach((name, i) => {
    const octet = PUBLIC_OCTETS.first + i
    publicBlocks.push(`${octet}.0.0.0/8`)
    add({ name, namespace: namespaceOf(prefix, name), role: 'public', publicAddress: `${octet}.0.0.1` })
  })

  const lanHosts: LabHost[] = []
  routers.forEach((router, i) => {
    if (!HOST_NAME_PATTERN.test(router.name)) {
      throw new InvalidTopologyError(`invalid router name ${JSON.stringify(router.name)}: use 1–10 lowercase letters and digits starting with a letter`)
    }
    if (router.nat !== 'cone' && router.nat !== 'symmetric') {
      throw new InvalidTopologyError(`router ${router.name}: nat must be "cone" or "symmetric", got ${JSON.stringify(router.nat)}`)
    }
    const peers = router.lanPeers ?? 1
    if (!Number.isInteger(peers) || peers < 1 || peers > 26) {
      throw new InvalidTopologyError(`router ${router.name}: lanPeers must be an integer in 1–26, got ${peers}`)
    }
    const octet = ROUTER_OCTETS.first + i
    const lanSubnet = `192.168.${i + 1}.0/24`
    const lanAddress = `192.168.${i + 1}.1`
    const peerNames = Array.from({ length: peers }, (_, j) => `${router.name}-${String.fromCharCode(97 + j)}`)
    publicBlocks.push(`${octet}.0.0.0/8`)
    add({ name: router.name, namespace: namespaceOf(prefix, router.name), role: 'router', publicAddress: `${octet}.0.0.1`, lanAddress, lanSubnet, nat: router.nat, lanPeers: peerNames })
    peerNames.forEach((name, j) => {
      lanHosts.push({ name, namespace: namespaceOf(prefix, name), role: 'lan', lanAddress: `192.168.${i + 1}.${j + 2}`, lanSubnet, gateway: lanAddress, router: router.name, nat: router.nat })
    })
  })
  for (const host of lanHosts) add(host)

  const stun = hosts.stun
  return {
    prefix,
    switchNamespace: namespaceOf(prefix, 'inet'),
    hosts,
    publicBlocks,
    stun: { host: stun.name, address: stun.publicAddress ?? '', port: STUN_PORT }
  }
}

/** Every namespace of a plan: the switch first, then the hosts in build order. */
export function planNamespaces (plan: TopologyPlan): string[] {
  return [plan.switchNamespace, ...Object.values(plan.hosts).map((host) => host.namespace)]
}
