/**
 * The request rate a replicated placement can sustain when every shard call may go to any copy of its shard:
 * the largest λ (requests/s) for which the work of every shard (`work` MACs per request) can be split among its
 * holders without any peer computing more than its rate (MAC/s). It is a transportation problem — source → shard
 * (capacity work·λ), shard → each holder (unbounded), peer → sink (its rate) — solved here as a max-flow per
 * candidate λ, bisected on λ. The flow at the optimum is the split a router should aim for; the shards still
 * reachable from the source when λ is just too high are the bottleneck (their holders are saturated), which is
 * where another copy raises λ. Pure: the same input gives the same answer.
 */

/** One shard of the flow problem. */
export interface FlowShard {
  id: string
  /** MACs per model request (calls per request × MACs per call). */
  work: number
  /** Peers holding a copy. */
  holders: readonly string[]
}

/** The optimum of {@link maxThroughput}. */
export interface FlowSolution {
  /** Largest sustainable request rate, requests/s (0 when some shard with work has no holder with a rate). */
  lambda: number
  /** Shard id → peer id → MAC/s of the shard's work that peer computes at λ. */
  split: Map<string, Map<string, number>>
  /** Peer id → MAC/s it computes at λ. */
  loadByPeer: Map<string, number>
  /** Shards whose holders are saturated at λ: another copy elsewhere is what raises λ. */
  bottleneck: Set<string>
}

/** Relative precision of the bisection on λ. */
const LAMBDA_PRECISION = 1e-4
/** Bisection steps at most (the bracket halves each step: 2⁻³⁰ ≪ the precision). */
const MAX_BISECTIONS = 30

interface Edge { to: number, cap: number, flow: number, rev: number }

/** A small residual graph with Edmonds–Karp max-flow (shortest augmenting paths). */
class FlowGraph {
  readonly adj: Edge[][]
  constructor (nodes: number) {
    this.adj = Array.from({ length: nodes }, () => [])
  }

  add (from: number, to: number, cap: number): Edge {
    const e: Edge = { to, cap, flow: 0, rev: this.adj[to].length }
    this.adj[from].push(e)
    this.adj[to].push({ to: from, cap: 0, flow: 0, rev: this.adj[from].length - 1 })
    return e
  }

  maxFlow (s: number, t: number, eps: number): number {
    let total = 0
    for (;;) {
      const prev: Array<Edge | undefined> = new Array(this.adj.length).fill(undefined)
      const seen = new Uint8Array(this.adj.length)
      seen[s] = 1
      const queue = [s]
      for (let head = 0; head < queue.length && seen[t] === 0; head++) {
        const u = queue[head]
        for (const e of this.adj[u]) {
          if (seen[e.to] === 0 && e.cap - e.flow > eps) {
            seen[e.to] = 1
            prev[e.to] = e
            queue.push(e.to)
          }
        }
      }
      if (seen[t] === 0) return total
      let push = Number.POSITIVE_INFINITY
      for (let v = t; v !== s;) {
        const e = prev[v] as Edge
        push = Math.min(push, e.cap - e.flow)
        v = this.adj[e.to][e.rev].to
      }
      for (let v = t; v !== s;) {
        const e = prev[v] as Edge
        e.flow += push
        this.adj[e.to][e.rev].flow -= push
        v = this.adj[e.to][e.rev].to
      }
      total += push
    }
  }

  /** Nodes reachable from `s` over edges with residual capacity. */
  reachable (s: number, eps: number): Uint8Array {
    const seen = new Uint8Array(this.adj.length)
    seen[s] = 1
    const stack = [s]
    while (stack.length > 0) {
      const u = stack.pop() as number
      for (const e of this.adj[u]) {
        if (seen[e.to] === 0 && e.cap - e.flow > eps) {
          seen[e.to] = 1
          stack.push(e.to)
        }
      }
    }
    return seen
  }
}

interface Solved { graph: FlowGraph, holderEdges: Array<Array<{ peer: string, edge: Edge }>>, sourceEdges: Edge[], sinkEdges: Map<string, Edge>, flow: number, demand: number, scale: number }

function solveAt (shards: readonly FlowShard[], rates: ReadonlyMap<string, number>, peers: readonly string[], lambda: number): Solved {
  // Nodes: 0 source, 1 sink, then shards, then peers. Capacities are scaled so the largest rate is 1.
  const peerIndex = new Map(peers.map((p, i) => [p, 2 + shards.length + i]))
  const graph = new FlowGraph(2 + shards.length + peers.length)
  const scale = Math.max(1, ...peers.map((p) => rates.get(p) ?? 0))
  const holderEdges: Solved['holderEdges'] = []
  const sourceEdges: Edge[] = []
  let demand = 0
  shards.forEach((s, i) => {
    sourceEdges.push(graph.add(0, 2 + i, (s.work * lambda) / scale))
    demand += (s.work * lambda) / scale
    holderEdges.push(s.holders.filter((p) => peerIndex.has(p)).map((p) => ({ peer: p, edge: graph.add(2 + i, peerIndex.get(p) as number, Number.POSITIVE_INFINITY) })))
  })
  const sinkEdges = new Map<string, Edge>()
  for (const p of peers) sinkEdges.set(p, graph.add(peerIndex.get(p) as number, 1, (rates.get(p) ?? 0) / scale))
  const flow = graph.maxFlow(0, 1, demand * 1e-12)
  return { graph, holderEdges, sourceEdges, sinkEdges, flow, demand, scale }
}

function feasible (solved: Solved): boolean {
  return solved.flow >= solved.demand * (1 - 1e-9)
}

/** A max-flow at one request rate: what is routed, and what is left over. */
export interface FlowAt {
  /** Every shard's work at λ fits on its holders. */
  feasible: boolean
  /** Shard id → its work at λ that no holder has room for, MAC/s (only shards with some). */
  unrouted: Map<string, number>
  /** Peer id → rate left over, MAC/s (every peer of `rates`, holders or not). */
  spare: Map<string, number>
}

/** The max-flow of {@link maxThroughput} at a given λ, over every peer of `rates` (see {@link FlowAt}). */
export function flowAt (shards: readonly FlowShard[], rates: ReadonlyMap<string, number>, lambda: number): FlowAt {
  const peers = [...rates.keys()].filter((p) => (rates.get(p) ?? 0) > 0).sort()
  const working = shards.filter((s) => s.work > 0)
  const solved = solveAt(working, rates, peers, lambda)
  const unrouted = new Map<string, number>()
  working.forEach((s, i) => {
    const e = solved.sourceEdges[i]
    const left = (e.cap - e.flow) * solved.scale
    if (left > s.work * lambda * 1e-9) unrouted.set(s.id, left)
  })
  const spare = new Map<string, number>()
  for (const [p, e] of solved.sinkEdges) spare.set(p, Math.max(0, e.cap - e.flow) * solved.scale)
  return { feasible: feasible(solved), unrouted, spare }
}

/**
 * The largest request rate the holders can sustain (see the module comment). `rates`: peer id → MAC/s available
 * to this job; a holder without a rate computes nothing.
 */
export function maxThroughput (shards: readonly FlowShard[], rates: ReadonlyMap<string, number>): FlowSolution {
  const peers = [...new Set(shards.flatMap((s) => s.holders))].filter((p) => (rates.get(p) ?? 0) > 0).sort()
  const working = shards.filter((s) => s.work > 0)
  const totalWork = working.reduce((sum, s) => sum + s.work, 0)
  const empty: FlowSolution = { lambda: 0, split: new Map(), loadByPeer: new Map(), bottleneck: new Set(working.map((s) => s.id)) }
  if (working.length === 0) return { ...empty, lambda: Number.POSITIVE_INFINITY, bottleneck: new Set() }
  // λ can exceed neither the whole rate over the whole work nor, per shard, its holders' rate over its work.
  let hi = peers.reduce((sum, p) => sum + (rates.get(p) ?? 0), 0) / totalWork
  for (const s of working) hi = Math.min(hi, s.holders.reduce((sum, p) => sum + (rates.get(p) ?? 0), 0) / s.work)
  if (!(hi > 0)) return empty
  let lo = 0
  let best = solveAt(working, rates, peers, 0)
  let over: Solved | undefined
  for (let i = 0; i < MAX_BISECTIONS && hi - lo > LAMBDA_PRECISION * hi; i++) {
    const mid = (lo + hi) / 2
    const solved = solveAt(working, rates, peers, mid)
    if (feasible(solved)) {
      lo = mid
      best = solved
    } else {
      hi = mid
      over = solved
    }
  }
  const top = solveAt(working, rates, peers, hi)
  if (feasible(top)) {
    // The bracket's top itself fits (every peer saturated at once): the bottleneck shows just above it.
    lo = hi
    best = top
    over = solveAt(working, rates, peers, hi * (1 + LAMBDA_PRECISION))
  } else {
    over = top
  }
  const scale = best.scale
  const split = new Map<string, Map<string, number>>()
  working.forEach((s, i) => {
    const bySplit = new Map<string, number>()
    for (const { peer, edge } of best.holderEdges[i]) if (edge.flow > 0) bySplit.set(peer, edge.flow * scale)
    split.set(s.id, bySplit)
  })
  const loadByPeer = new Map<string, number>()
  for (const [p, e] of best.sinkEdges) loadByPeer.set(p, Math.max(0, e.flow) * scale)
  const bottleneck = new Set<string>()
  if (over !== undefined) {
    const seen = over.graph.reachable(0, over.demand * 1e-9)
    working.forEach((s, i) => { if (seen[2 + i] === 1) bottleneck.add(s.id) })
  }
  return { lambda: lo, split, loadByPeer, bottleneck }
}
