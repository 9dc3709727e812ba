/**
 * The dashboard's model: the network watcher writes peers, the run watcher writes the job and its decisions, and
 * the server reads snapshots. Every write calls `changed()`, which tells the subscribers (the server, which
 * batches them); a snapshot is built only when someone reads it.
 */
import type {
  DashboardDecision, DashboardJob, DashboardNotice, DashboardPeer, DashboardRunSummary, DashboardState
} from './types.js'

/** Notices kept (the newest). */
export const MAX_NOTICES = 60
/** Decisions kept (the newest). */
export const MAX_DECISIONS = 400

/** A peer as the network watcher keeps it; the job-dependent fields are filled in by the snapshot. */
export type WatchedPeer = Omit<DashboardPeer, 'copies' | 'callsServed'>

/** Options of {@link DashboardStore}. */
export interface DashboardStoreInit {
  title: string
  mode: DashboardState['mode']
  /** Where the figures come from, in words (shown in the page's footer). */
  sources: string[]
  /** Clock, ms since the epoch (default Date.now). */
  now?: () => number
}

/** The dashboard's state and its subscribers. */
export class DashboardStore {
  readonly title: string
  readonly mode: DashboardState['mode']
  readonly sources: string[]
  readonly now: () => number
  self: string | null = null
  connected = false
  ended = false
  readonly peers = new Map<string, WatchedPeer>()
  job: DashboardJob | null = null
  /** Peers the current run gave up on. */
  departed: string[] = []
  /** Peers a run's verification flagged, with why (docs/verification.md). */
  private readonly flaggedPeers = new Map<string, string>()
  /** Successful shard calls per peer in the current run. */
  callsByPeer: Record<string, number> = {}
  readonly runs: DashboardRunSummary[] = []
  private decisionList: DashboardDecision[] = []
  private noticeList: DashboardNotice[] = []
  /** Notices added since the start (the list keeps only the newest). */
  noticesTotal = 0
  private readonly listeners = new Set<() => void>()

  constructor (init: DashboardStoreInit) {
    this.title = init.title
    this.mode = init.mode
    this.sources = init.sources
    this.now = init.now ?? Date.now
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Tells the subscribers that something changed. */
  changed (): void {
    for (const listener of [...this.listeners]) listener()
  }

  /** Adds a notice (the oldest go past {@link MAX_NOTICES}). */
  notice (level: DashboardNotice['level'], text: string): void {
    this.noticeList.push({ atMs: this.now(), level, text })
    this.noticesTotal++
    if (this.noticeList.length > MAX_NOTICES) this.noticeList.splice(0, this.noticeList.length - MAX_NOTICES)
    this.changed()
  }

  /** Adds a reconfiguration decision (the oldest go past {@link MAX_DECISIONS}). */
  decision (decision: DashboardDecision): void {
    this.decisionList.push(decision)
    if (this.decisionList.length > MAX_DECISIONS) this.decisionList.splice(0, this.decisionList.length - MAX_DECISIONS)
    this.changed()
  }

  get notices (): readonly DashboardNotice[] {
    return this.noticeList
  }

  get decisions (): readonly DashboardDecision[] {
    return this.decisionList
  }

  /** A run's verification flagged `peerId` (a failed check, too many errors, an over-claimed speed). */
  flag (peerId: string, reason: string): void {
    this.flaggedPeers.set(peerId, reason)
    this.changed()
  }

  /** The whole state as plain data (what `/api/state` returns). */
  snapshot (): DashboardState {
    const copies = new Map<string, number>()
    const activeOrProgramming = new Set<string>()
    const draining = new Set<string>()
    const running = this.job !== null && this.job.phase !== 'done'
    for (const shard of this.job?.placement ?? []) {
      for (const p of [...shard.active, ...shard.programming, ...shard.draining]) copies.set(p, (copies.get(p) ?? 0) + 1)
      for (const p of [...shard.active, ...shard.programming]) activeOrProgramming.add(p)
      for (const p of shard.draining) draining.add(p)
    }
    const peers: DashboardPeer[] = [...this.peers.values()].map((p) => {
      const peer: DashboardPeer = { ...p, path: { ...p.path }, addresses: [...p.addresses], copies: copies.get(p.peerId) ?? 0, callsServed: this.callsByPeer[p.peerId] ?? 0 }
      // Draining is about the job: a serving peer whose every copy is being moved off it.
      if (running && peer.state === 'serving' && draining.has(p.peerId) && !activeOrProgramming.has(p.peerId)) {
        peer.state = 'draining'
        peer.stateReason = 'every copy it holds is being moved to another peer'
      }
      const flag = this.flaggedPeers.get(p.peerId)
      if (flag !== undefined && peer.state !== 'gone') {
        peer.state = 'flagged'
        peer.stateReason = `flagged by result verification: ${flag}`
      } else if (peer.state === 'serving' && this.departed.includes(p.peerId)) peer.stateReason = 'connected, but the run gave up on it after failed calls'
      return peer
    })
    peers.sort((a, b) => (a.name ?? a.peerId).localeCompare(b.name ?? b.peerId))
    return {
      title: this.title,
      mode: this.mode,
      self: this.self,
      connected: this.connected,
      ended: this.ended,
      updatedAtMs: this.now(),
      peers,
      job: this.job === null ? null : structuredClone(this.job),
      runs: structuredClone(this.runs),
      decisions: [...this.decisionList],
      notices: [...this.noticeList],
      sources: [...this.sources]
    }
  }
}
