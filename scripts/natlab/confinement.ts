/**
 * The confinement check: nothing in the lab leads out of it. Reads every lab namespace's links and routes (and
 * the host's links, read only) with `ip -j`, then {@link findLeaks} judges the snapshot without touching the
 * system, so the judgement itself is unit-tested on made-up snapshots.
 */
import { mustRun } from './commands.js'
import type { Tools } from './commands.js'
import { IFACE } from './topology.js'
import type { TopologyPlan } from './topology.js'

/** The fields of `ip -j -d link show` the check reads. */
export interface IpLink {
  ifname: string
  link_type?: string
  link_netnsid?: number
  linkinfo?: { info_kind?: string }
}

/** The fields of `ip -j route show table all` the check reads. */
export interface IpRoute {
  dst: string
  dev?: string
  gateway?: string
  table?: string
  type?: string
}

/** `ip -j netns list-id` entries: which namespace an nsid stands for (named only when it is in /run/netns). */
export interface NsId {
  nsid: number
  name?: string
}

export interface NamespaceSnapshot {
  links: IpLink[]
  routes4: IpRoute[]
  routes6: IpRoute[]
  nsids: NsId[]
}

/** What the check reads: every lab namespace of the plan, plus the host namespace's links. */
export interface ConfinementSnapshot {
  namespaces: Record<string, NamespaceSnapshot | undefined>
  host: { links: IpLink[], nsids: NsId[] }
}

const ALLOWED_KINDS = new Set(['veth', 'bridge'])

function parseJson<T> (text: string): T[] {
  return text.trim() === '' ? [] : JSON.parse(text) as T[]
}

/** Reads links, routes and namespace ids of every planned namespace and the host's links (nothing is sent). */
export async function snapshotConfinement (tools: Tools, plan: TopologyPlan): Promise<ConfinementSnapshot> {
  const namespaces: Record<string, NamespaceSnapshot | undefined> = {}
  const all = [plan.switchNamespace, ...Object.values(plan.hosts).map((h) => h.namespace)]
  await Promise.all(all.map(async (ns) => {
    const [links, routes4, routes6, nsids] = await Promise.all([
      mustRun([tools.ip, '-j', '-d', '-n', ns, 'link', 'show']),
      mustRun([tools.ip, '-j', '-4', '-n', ns, 'route', 'show', 'table', 'all']),
      mustRun([tools.ip, '-j', '-6', '-n', ns, 'route', 'show', 'table', 'all']),
      mustRun([tools.ip, '-j', '-n', ns, 'netns', 'list-id'])
    ])
    namespaces[ns] = { links: parseJson(links), routes4: parseJson(routes4), routes6: parseJson(routes6), nsids: parseJson(nsids) }
  }))
  const [hostLinks, hostNsids] = await Promise.all([
    mustRun([tools.ip, '-j', '-d', 'link', 'show']),
    mustRun([tools.ip, '-j', 'netns', 'list-id'])
  ])
  return { namespaces, host: { links: parseJson(hostLinks), nsids: parseJson(hostNsids) } }
}

/**
 * Every way out of the lab the snapshot shows, as readable sentences; empty when the lab is confined:
 * - every planned namespace exists;
 * - its links are loopback, bridges, or veths whose peer lives in a namespace of this lab (a veth with no
 *   peer namespace id has its peer in the same namespace, which stays inside too);
 * - IPv4 default routes exist only on LAN peers, via their own router's LAN address on eth0; IPv6 has no
 *   default route anywhere; every route's device is one of the namespace's lab links;
 * - the host namespace has no veth whose peer is in a lab namespace.
 */
export function findLeaks (plan: TopologyPlan, snapshot: ConfinementSnapshot): string[] {
  const leaks: string[] = []
  const labNamespaces = new Set([plan.switchNamespace, ...Object.values(plan.hosts).map((h) => h.namespace)])
  const hostByNamespace = new Map(Object.values(plan.hosts).map((h) => [h.namespace, h]))

  for (const ns of labNamespaces) {
    const snap = snapshot.namespaces[ns]
    if (snap === undefined) {
      leaks.push(`${ns}: namespace missing from the snapshot`)
      continue
    }
    const nsNames = new Map(snap.nsids.map((entry) => [entry.nsid, entry.name]))
    const devices = new Set<string>()
    for (const link of snap.links) {
      devices.add(link.ifname)
      if (link.link_type === 'loopback') continue
      const kind = link.linkinfo?.info_kind
      if (kind === undefined || !ALLOWED_KINDS.has(kind)) {
        leaks.push(`${ns}: link ${link.ifname} is of kind ${kind ?? link.link_type ?? 'unknown'}, not a lab veth or bridge`)
        continue
      }
      if (kind === 'veth' && link.link_netnsid !== undefined) {
        const peerNs = nsNames.get(link.link_netnsid)
        if (peerNs === undefined || !labNamespaces.has(peerNs)) {
          leaks.push(`${ns}: veth ${link.ifname} leads to namespace ${peerNs ?? `id ${link.link_netnsid} (unnamed: the host or a foreign namespace)`}, outside the lab`)
        }
      }
    }
    const host = hostByNamespace.get(ns)
    for (const [family, routes] of [['IPv4', snap.routes4], ['IPv6', snap.routes6]] as const) {
      for (const route of routes) {
        if (route.dev !== undefined && !devices.has(route.dev)) {
          leaks.push(`${ns}: ${family} route ${route.dst} uses device ${route.dev}, which is not a lab link`)
        }
        if (route.dst !== 'default') continue
        const allowed = family === 'IPv4' && host?.role === 'lan' && route.gateway === host.gateway && route.dev === IFACE.host &&
          (route.table === undefined || route.table === 'main')
        if (!allowed) {
          leaks.push(`${ns}: ${family} default route${route.gateway !== undefined ? ` via ${route.gateway}` : ''}${route.dev !== undefined ? ` dev ${route.dev}` : ''} (only LAN peers may have one, via their router)`)
        }
      }
    }
  }

  const hostNsNames = new Map(snapshot.host.nsids.map((entry) => [entry.nsid, entry.name]))
  for (const link of snapshot.host.links) {
    if (link.linkinfo?.info_kind !== 'veth' || link.link_netnsid === undefined) continue
    const peerNs = hostNsNames.get(link.link_netnsid)
    if (peerNs !== undefined && labNamespaces.has(peerNs)) {
      leaks.push(`host namespace: veth ${link.ifname} leads into lab namespace ${peerNs}`)
    }
  }
  return leaks
}
