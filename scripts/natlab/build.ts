/**
 * Building and tearing down a lab from its plan. Every link is a veth pair created from inside a lab namespace
 * straight into another lab namespace (`ip -n A link add … type veth peer name … netns B`), so no interface ever
 * exists in the host's namespace, even for a moment.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { KILL_GRACE_MS } from './constants.js'
import { mustRun, runCommand } from './commands.js'
import type { Tools } from './commands.js'
import { CommandFailedError, InvalidTopologyError, LabPrerequisiteError } from './errors.js'
import { routerRuleset } from './ruleset.js'
import { IFACE, planNamespaces } from './topology.js'
import type { LabHost, TopologyPlan } from './topology.js'

/** Link impairment on every link to the public segment, in both directions. */
export interface NetemOptions {
  /**
   * Delay added to each direction of each link to the public segment (`tc netem`, which the kernel must have).
   * A trip between two hosts crosses two such links, so their one-way delay grows by 2 × delayMs (round trip
   * 4 × delayMs). Default 0.
   */
  delayMs?: number
  /**
   * Loss probability in percent on each link to the public segment, in each direction, so a trip between two
   * hosts is lost with probability 1 − (1 − p)². Default 0.
   */
  lossPercent?: number
}

/** Throws {@link InvalidTopologyError} for out-of-range impairment values. */
export function validateNetem (options: NetemOptions): Required<NetemOptions> {
  const delayMs = options.delayMs ?? 0
  const lossPercent = options.lossPercent ?? 0
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 10_000) {
    throw new InvalidTopologyError(`delayMs must be in 0–10000, got ${delayMs}`)
  }
  if (!Number.isFinite(lossPercent) || lossPercent < 0 || lossPercent > 100) {
    throw new InvalidTopologyError(`lossPercent must be in 0–100, got ${lossPercent}`)
  }
  return { delayMs, lossPercent }
}

/** Names of the namespaces of one lab that exist now (`<prefix>-*`). */
export async function listLabNamespaces (tools: Tools, prefix: string): Promise<string[]> {
  const out = await mustRun([tools.ip, '-j', 'netns', 'list'])
  if (out.trim() === '') return []
  const entries = JSON.parse(out) as Array<{ name: string }>
  return entries.map((entry) => entry.name).filter((name) => name.startsWith(`${prefix}-`)).sort()
}

/** Process ids inside a namespace (`ip netns pids`); empty when the namespace is gone. */
export async function namespacePids (tools: Tools, namespace: string): Promise<number[]> {
  const result = await runCommand([tools.ip, 'netns', 'pids', namespace])
  if (result.code !== 0) return []
  return result.stdout.split(/\s+/).filter((s) => s !== '').map(Number).filter((pid) => pid !== process.pid)
}

async function ipBatch (tools: Tools, namespace: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return
  await mustRun([tools.ip, '-n', namespace, '-batch', '-'], { input: lines.join('\n') + '\n' })
}

async function sysctl (tools: Tools, namespace: string, settings: string[]): Promise<void> {
  await mustRun([tools.ip, 'netns', 'exec', namespace, tools.sysctl, '-q', '-w', ...settings])
}

/** The sysctls every lab namespace gets; routers also forward. */
function sysctlsFor (host: LabHost | undefined): string[] {
  const settings = [
    // New namespaces copy the host's rp_filter (2 on Ubuntu), which drops asymmetric NAT replies.
    'net.ipv4.conf.all.rp_filter=0',
    'net.ipv4.conf.default.rp_filter=0',
    // The lab is IPv4-only: no link-local IPv6, no router solicitations, nothing to confine but IPv4.
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1'
  ]
  if (host?.role === 'router') settings.push('net.ipv4.ip_forward=1')
  return settings
}

/** The bridge-netfilter knob defaults to 1 in new namespaces; bridged frames must not traverse nftables. */
async function disableBridgeNetfilter (tools: Tools, namespace: string): Promise<void> {
  // Only present when the kernel has br_netfilter; `-e` ignores the key where it does not exist.
  await mustRun([tools.ip, 'netns', 'exec', namespace, tools.sysctl, '-q', '-e', '-w',
    'net.bridge.bridge-nf-call-iptables=0', 'net.bridge.bridge-nf-call-ip6tables=0', 'net.bridge.bridge-nf-call-arptables=0'])
}

function onLinkRoutes (plan: TopologyPlan, ownAddress: string, dev: string): string[] {
  const ownBlock = `${ownAddress.split('.')[0]}.0.0.0/8`
  return plan.publicBlocks.filter((block) => block !== ownBlock).map((block) => `route add ${block} dev ${dev} scope link src ${ownAddress}`)
}

/**
 * Builds the lab described by `plan`. The caller makes sure no namespace of the prefix exists. Returns once every
 * namespace, link, address, route and router ruleset is in place (the STUN responder is started separately).
 */
export async function buildTopology (tools: Tools, plan: TopologyPlan, netem: Required<NetemOptions>): Promise<void> {
  const hosts = Object.values(plan.hosts)
  const sw = plan.switchNamespace

  await Promise.all(planNamespaces(plan).map(async (ns) => { await mustRun([tools.ip, 'netns', 'add', ns]) }))

  // Sysctls before any interface exists, so the veths inherit the defaults (IPv6 off, rp_filter 0); bridges next.
  await Promise.all([
    (async () => {
      await sysctl(tools, sw, sysctlsFor(undefined))
      await disableBridgeNetfilter(tools, sw)
      await ipBatch(tools, sw, [`link add ${IFACE.publicBridge} type bridge`, `link set ${IFACE.publicBridge} up`, 'link set lo up'])
    })(),
    ...hosts.map(async (host) => {
      await sysctl(tools, host.namespace, sysctlsFor(host))
      if (host.role === 'router') {
        await disableBridgeNetfilter(tools, host.namespace)
        await ipBatch(tools, host.namespace, [`link add ${IFACE.lan} type bridge`])
      }
    })
  ])

  // veth pairs, each created from its host's namespace directly into its peer namespace.
  await Promise.all(hosts.map(async (host) => {
    if (host.role === 'lan') {
      const router = plan.hosts[host.router ?? '']
      const port = `${IFACE.lan}-${host.name.slice(host.name.lastIndexOf('-') + 1)}`
      await ipBatch(tools, host.namespace, [`link add ${IFACE.host} type veth peer name ${port} netns ${router.namespace}`])
    } else {
      const dev = host.role === 'router' ? IFACE.wan : IFACE.host
      await ipBatch(tools, host.namespace, [`link add ${dev} type veth peer name ${host.name} netns ${sw}`])
    }
  }))

  // Addresses, routes, bridge ports.
  await Promise.all([
    ipBatch(tools, sw, hosts.filter((h) => h.role !== 'lan').flatMap((h) => [`link set ${h.name} master ${IFACE.publicBridge}`, `link set ${h.name} up`])),
    ...hosts.map(async (host) => {
      const lines = ['link set lo up']
      if (host.role === 'public') {
        const address = host.publicAddress ?? ''
        lines.push(`addr add ${address}/8 dev ${IFACE.host}`, `link set ${IFACE.host} up`, ...onLinkRoutes(plan, address, IFACE.host))
      } else if (host.role === 'router') {
        const address = host.publicAddress ?? ''
        const prefixLength = (host.lanSubnet ?? '').split('/')[1]
        lines.push(`addr add ${address}/8 dev ${IFACE.wan}`, `link set ${IFACE.wan} up`, ...onLinkRoutes(plan, address, IFACE.wan))
        lines.push(`addr add ${host.lanAddress ?? ''}/${prefixLength} dev ${IFACE.lan}`, `link set ${IFACE.lan} up`)
        for (const peer of host.lanPeers ?? []) {
          const port = `${IFACE.lan}-${peer.slice(peer.lastIndexOf('-') + 1)}`
          lines.push(`link set ${port} master ${IFACE.lan}`, `link set ${port} up`)
        }
      } else {
        const prefixLength = (host.lanSubnet ?? '').split('/')[1]
        lines.push(`addr add ${host.lanAddress ?? ''}/${prefixLength} dev ${IFACE.host}`, `link set ${IFACE.host} up`, `route add default via ${host.gateway ?? ''} dev ${IFACE.host}`)
      }
      await ipBatch(tools, host.namespace, lines)
    })
  ])

  // NAT rulesets and link impairment.
  await Promise.all([
    ...hosts.filter((h) => h.role === 'router').map(async (host) => {
      await mustRun([tools.ip, 'netns', 'exec', host.namespace, tools.nft, '-f', '-'], { input: routerRuleset(host.nat ?? 'cone') })
    }),
    netem.lossPercent > 0 ? mustRun([tools.ip, 'netns', 'exec', sw, tools.nft, '-f', '-'], { input: lossRuleset(netem.lossPercent) }) : undefined,
    ...(netem.delayMs > 0 ? hosts.filter((h) => h.role !== 'lan').map(async (host) => { await addDelay(tools, plan, host, netem.delayMs) }) : [])
  ])
}

/**
 * Loss on the public segment, as nftables rules on its bridge: every bridged frame crosses two links (its
 * sender's and its receiver's), so it meets two independent drop decisions of `lossPercent` each. nftables
 * rather than netem because kernels without sch_netem (like this project's VMs) still have `numgen`.
 */
export function lossRuleset (lossPercent: number): string {
  const perTenThousand = Math.round(lossPercent * 100)
  return [
    'table bridge natlab_loss {',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    '    counter name "bridged"',
    `    numgen random mod 10000 < ${perTenThousand} counter name "dropped" drop`,
    `    numgen random mod 10000 < ${perTenThousand} counter name "dropped" drop`,
    '  }',
    '  counter bridged {}',
    '  counter dropped {}',
    '}',
    ''
  ].join('\n')
}

/**
 * Whether the kernel has the netem qdisc, tried on a veth pair in a scratch namespace (`<prefix>-netemcheck`,
 * removed at once), so that `up` can refuse a delay before it tears down a running lab.
 */
/** Why link delay cannot be set on some kernels (this project's VMs among them). */
export const NETEM_UNAVAILABLE_MESSAGE = 'link delay needs the netem qdisc, which this kernel lacks (CONFIG_NET_SCH_NETEM); loss works without it'

export async function netemAvailable (tools: Tools, prefix: string): Promise<boolean> {
  const ns = `${prefix}-netemcheck`
  await runCommand([tools.ip, 'netns', 'del', ns])
  await mustRun([tools.ip, 'netns', 'add', ns])
  try {
    await ipBatch(tools, ns, ['link add x0 type veth peer name x1'])
    const result = await runCommand([tools.tc, '-n', ns, 'qdisc', 'add', 'dev', 'x0', 'root', 'netem', 'delay', '1ms'])
    return result.code === 0
  } finally {
    await runCommand([tools.ip, 'netns', 'del', ns])
  }
}

async function addDelay (tools: Tools, plan: TopologyPlan, host: LabHost, delayMs: number): Promise<void> {
  const args = ['root', 'netem', 'delay', `${delayMs}ms`]
  const dev = host.role === 'router' ? IFACE.wan : IFACE.host
  for (const [ns, link] of [[host.namespace, dev], [plan.switchNamespace, host.name]]) {
    const result = await runCommand([tools.tc, '-n', ns, 'qdisc', 'replace', 'dev', link, ...args])
    if (result.code !== 0) {
      if (/qdisc kind is unknown/i.test(result.stderr)) {
        throw new LabPrerequisiteError(NETEM_UNAVAILABLE_MESSAGE)
      }
      throw new CommandFailedError([tools.tc, '-n', ns, 'qdisc', 'replace', 'dev', link, ...args], result.code, result.stderr)
    }
  }
}

/**
 * Stops every process inside the given namespaces (SIGTERM, then SIGKILL after a grace period) and deletes the
 * namespaces, which removes their veth pairs. Returns the pids it had to stop.
 */
export async function teardownNamespaces (tools: Tools, namespaces: string[]): Promise<number[]> {
  const pidsOf = async (): Promise<number[]> => (await Promise.all(namespaces.map(async (ns) => await namespacePids(tools, ns)))).flat()
  const stopped = await pidsOf()
  const signal = (pids: number[], sig: NodeJS.Signals): void => {
    for (const pid of pids) {
      try { process.kill(pid, sig) } catch {}
    }
  }
  signal(stopped, 'SIGTERM')
  const deadline = Date.now() + KILL_GRACE_MS
  let left = stopped
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(20)
    left = await pidsOf()
  }
  if (left.length > 0) {
    signal(left, 'SIGKILL')
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await sleep(20)
      left = await pidsOf()
    }
  }
  await Promise.all(namespaces.map(async (ns) => {
    const result = await runCommand([tools.ip, 'netns', 'del', ns])
    // Deleting a namespace another `down` removed a moment ago is not an error.
    if (result.code !== 0 && !/No such file|Invalid argument|does not exist/i.test(result.stderr)) {
      await mustRun([tools.ip, 'netns', 'del', ns])
    }
  }))
  return stopped
}
