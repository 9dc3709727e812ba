/**
 * A node's state in Prometheus text (`--metrics-listen 127.0.0.1:9464`, `GET /metrics`): libp2p's own metrics
 * through `@libp2p/prometheus-metrics`, and tessera's — tiles, shards, executes and their latency, bytes in and out,
 * relay reservations, reachability, NAT kind and the path kinds of connections. Each node has its own registry, so
 * several nodes in one process never share (or reset) each other's metrics.
 */
import { createServer } from 'node:http'
import { logger } from '@libp2p/logger'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { InvalidNodeOptionError } from './errors.js'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { MultiaddrConnection } from '@libp2p/interface'
import type { NatKind, Reachability } from '@tessera/memory'
import type { Libp2pInit } from 'libp2p'

/** libp2p's metrics factory, as `createLibp2p` takes it. */
export type MetricsFactory = NonNullable<Libp2pInit['metrics']>

const log = logger('tessera:peer:prometheus')

/** Execute latency buckets, seconds: a small batch on a fast host to a large one on an emulated slow device. */
export const EXECUTE_LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export const REACHABILITY_STATES: readonly Reachability[] = ['public', 'private', 'unknown']
export const NAT_KINDS: readonly NatKind[] = ['none', 'cone', 'symmetric', 'unknown']

/** What tessera's gauges read from the node at every scrape. */
export interface NodeMetricsSource {
  tiles(): { total: number, free: number, shardsHeld: number }
  queueDepth(): number
  reservations(): number
  reachability(): Reachability
  natKind(): NatKind
  connections(): { direct: number, relayed: number }
  leaving(): boolean
}

/** A node's metrics registry and the counters the node updates itself. */
export class NodeMetrics {
  readonly registry = new Registry()
  private readonly executes: Counter
  private readonly executeSeconds: Histogram
  private readonly bytes: Counter<'direction'>

  constructor () {
    this.executes = new Counter({ name: 'tessera_executes_total', help: 'Execute calls this node answered', registers: [this.registry] })
    this.executeSeconds = new Histogram({ name: 'tessera_execute_duration_seconds', help: 'Time the executor spent on one execute call (MVMs, emulated device time included)', buckets: EXECUTE_LATENCY_BUCKETS_S, registers: [this.registry] })
    this.bytes = new Counter({ name: 'tessera_bytes_total', help: 'Bytes over all libp2p connections (after encryption), by direction', labelNames: ['direction'], registers: [this.registry] })
  }

  /** One answered execute that took `wallMs` in the executor. */
  observeExecute (wallMs: number): void {
    this.executes.inc()
    this.executeSeconds.observe(wallMs / 1000)
  }

  /** libp2p's metrics in this registry, with every connection's bytes also counted into `tessera_bytes_total`. */
  libp2pMetrics (): MetricsFactory {
    const factory = prometheusMetrics({ registry: this.registry, collectDefaultMetrics: true })
    return (components) => {
      const metrics = factory(components)
      const track = metrics.trackMultiaddrConnection.bind(metrics)
      metrics.trackMultiaddrConnection = (maConn: MultiaddrConnection) => {
        track(maConn)
        this.countBytes(maConn)
      }
      return metrics
    }
  }

  /** Registers the gauges that read the node at scrape time. */
  watch (source: NodeMetricsSource): void {
    const registers = [this.registry]
    gauge('tessera_tiles_total', 'Crossbar tiles of this node', registers, () => source.tiles().total)
    gauge('tessera_tiles_used', 'Tiles reserved or programmed', registers, () => { const t = source.tiles(); return t.total - t.free })
    gauge('tessera_shards_held', 'Shards held on this node\'s tiles', registers, () => source.tiles().shardsHeld)
    gauge('tessera_executor_queue_depth', 'Executor requests posted and not yet answered', registers, () => source.queueDepth())
    gauge('tessera_relay_reservations', 'Circuit relay reservations this node holds', registers, () => source.reservations())
    gauge('tessera_leaving', '1 while the node is leaving the network', registers, () => source.leaving() ? 1 : 0)
    oneHot('tessera_reachability', 'Reachability as the capacity record reports it (1 for the current state)', 'state', REACHABILITY_STATES, registers, () => source.reachability())
    oneHot('tessera_nat_kind', 'NAT kind as the capacity record reports it (1 for the current kind)', 'kind', NAT_KINDS, registers, () => source.natKind())
    void new Gauge({
      name: 'tessera_connections',
      help: 'Open libp2p connections by path',
      labelNames: ['path'],
      registers,
      collect () {
        const c = source.connections()
        this.set({ path: 'direct' }, c.direct)
        this.set({ path: 'relayed' }, c.relayed)
      }
    })
  }

  private countBytes (maConn: MultiaddrConnection): void {
    const dispatch = maConn.dispatchEvent.bind(maConn)
    maConn.dispatchEvent = (evt: Event): boolean => {
      if (evt.type === 'message') this.bytes.inc({ direction: 'in' }, (evt as Event & { data: { byteLength: number } }).data.byteLength)
      return dispatch(evt)
    }
    const send = maConn.send.bind(maConn)
    maConn.send = (buf) => {
      this.bytes.inc({ direction: 'out' }, buf.byteLength)
      return send(buf)
    }
  }
}

function gauge (name: string, help: string, registers: Registry[], read: () => number): void {
  void new Gauge({ name, help, registers, collect () { this.set(read()) } })
}

function oneHot (name: string, help: string, label: string, values: readonly string[], registers: Registry[], read: () => string): void {
  void new Gauge({
    name,
    help,
    labelNames: [label],
    registers,
    collect () {
      const current = read()
      for (const v of values) this.set({ [label]: v }, v === current ? 1 : 0)
    }
  })
}

/** `host:port` of `--metrics-listen`; throws {@link InvalidNodeOptionError} on anything else. */
export function parseListenAddress (listen: string): { host: string, port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(listen.trim())
  const port = Number(match?.[2])
  if (match === null || !Number.isInteger(port) || port > 65535) throw new InvalidNodeOptionError(`the metrics address must be host:port (e.g. 127.0.0.1:9464), got ${JSON.stringify(listen)}`)
  return { host: match[1].replace(/^\[|\]$/g, ''), port }
}

/** The HTTP server of `/metrics`. */
export interface MetricsServer {
  /** `host:port` it listens on (the port resolved when 0 was asked for). */
  address: string
  close(): Promise<void>
}

/** Serves the registry as Prometheus text on `GET /metrics`; anything else is a 404. */
export async function startMetricsServer (registry: Registry, listen: string): Promise<MetricsServer> {
  const { host, port } = parseListenAddress(listen)
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are on GET /metrics\n')
      return
    }
    registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType }).end(text)
    }, (err: unknown) => {
      log.error('collecting metrics failed - %e', err)
      res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  const bound = server.address() as AddressInfo
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: async () => { await new Promise<void>((resolve) => { server.close(() => { resolve() }); server.closeAllConnections() }) }
  }
}
