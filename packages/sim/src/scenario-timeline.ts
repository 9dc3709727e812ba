/**
 * A scenario's timeline as the coordinator's timeline entries: at each event's time the nodes it names (or the
 * busiest ones, by calls served so far) slow down, leave or join, or a layer's load grows; every event is recorded
 * as it fired, with why applying it failed if it did.
 */
import { logger } from '@libp2p/logger'
import type { RunControl, TimelineEntry } from '@tessera/coordinator'
import { InvalidScenarioError } from './errors.js'
import type { LocalNetwork } from './local-network.js'
import type { NodeSelector, Scenario, ScenarioEvent } from './scenario.js'

const log = logger('tessera:sim:timeline')

/** A scenario event as it happened. */
export interface FiredEvent {
  kind: ScenarioEvent['kind']
  /** Coordinator clock, ms. */
  atMs: number
  /** In words, with the node names it hit. */
  label: string
  /** Scenario node ids it hit. */
  nodes: string[]
  /** Why applying it failed, if it did. */
  error?: string
}

/** The nodes a selector names now: explicit ids, or the busiest running ones by calls served (relay excluded). */
function selectNodes (selector: NodeSelector, net: LocalNetwork, served: Map<string, number>, gone: ReadonlySet<string>): string[] {
  if (Array.isArray(selector)) return selector
  const relay = net.scenario.nodes.find((n) => n.relay === true)?.id
  const candidates = [...net.nodes.keys()].filter((id) => id !== relay && !gone.has(id))
  const callsOf = (id: string): number => served.get(net.nodes.get(id)?.peerId.toString() ?? '') ?? 0
  return candidates.sort((a, b) => callsOf(b) - callsOf(a) || (a < b ? -1 : a > b ? 1 : 0)).slice(0, selector.busiest)
}

/** The timeline's label of an event that fired on the nodes `ids`. */
export function describeScenarioEvent (e: ScenarioEvent, ids: string[]): string {
  switch (e.kind) {
    case 'slowdown': return `${ids.join(', ')} slow to 1/${e.factor}`
    case 'leave': return `${ids.join(', ')} leave`
    case 'join': return `${ids.join(', ')} join`
    case 'hotspot': return `${e.layer} load ×${e.factor}`
  }
}

/** Applies one event to the nodes `ids` of the network (a hotspot, to the run through `control`). */
async function applyEvent (e: ScenarioEvent, ids: string[], net: LocalNetwork, control: RunControl, gone: Set<string>): Promise<void> {
  const { scenario } = net
  switch (e.kind) {
    case 'slowdown':
      await Promise.all(ids.map(async (id) => {
        const node = scenario.nodes.find((n) => n.id === id)
        if (node === undefined) throw new InvalidScenarioError(`unknown node ${id}`)
        await net.setSpeed(id, node.macsPerSecond / e.factor)
      }))
      break
    case 'leave':
      for (const id of ids) gone.add(id)
      await Promise.all(ids.map(async (id) => { await net.stopNode(id) }))
      break
    case 'join':
      await Promise.all(ids.map(async (id) => { await net.startNode(id) }))
      break
    case 'hotspot':
      // As many more requests through the layer as (factor − 1) times the job's own: at that arrival rate in an
      // open-loop run, in that many more lanes in a closed-loop one.
      control.loadLayer(e.layer, Math.max(1, Math.round((e.factor - 1) * scenario.batchesInFlight)),
        scenario.arrivalRps === undefined ? undefined : (e.factor - 1) * scenario.arrivalRps)
      break
  }
}

/** Options of {@link scenarioTimeline}. */
export interface ScenarioTimelineInit {
  net: LocalNetwork
  /** The coordinator's clock, ms. */
  clock: () => number
  /** Receives every event as it fires (its `error` is set if applying it fails). */
  onFired: (event: FiredEvent) => void
}

/** The timeline entries of the network's scenario. */
export function scenarioTimeline (scenario: Scenario, init: ScenarioTimelineInit): TimelineEntry[] {
  const { net } = init
  const gone = new Set<string>()
  return (scenario.timeline ?? []).map((e) => ({
    atMs: e.atMs,
    label: e.kind,
    apply: async (control) => {
      const ids = e.kind === 'hotspot' ? [] : e.kind === 'join' ? e.nodes : selectNodes(e.nodes, net, control.callsServed(), gone)
      const event: FiredEvent = { kind: e.kind, atMs: init.clock(), label: describeScenarioEvent(e, ids), nodes: ids }
      log('%s: %s', scenario.name, event.label)
      init.onFired(event)
      try {
        await applyEvent(e, ids, net, control, gone)
      } catch (err) {
        event.error = (err as Error)?.message ?? String(err)
        throw err
      }
    }
  }))
}
