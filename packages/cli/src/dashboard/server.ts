/**
 * The dashboard's HTTP server (node:http, 127.0.0.1 by default): `/` the page (and its icon), `/api/state` the state as JSON,
 * `/api/events` server-sent events — the whole state at once on connect, then again after every change (at most
 * one event per {@link SSE_MS.minInterval}), a heartbeat comment while idle, and an `end` event when the command
 * has finished. A browser that drops the stream is forgotten; when it comes back it gets the whole state again.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { logger } from '@libp2p/logger'
import { describeError, hasErrorCode } from '@tessera/errors'
import { DEFAULT_DASHBOARD_HOST, SSE_MS } from './constants.js'
import { DashboardListenError, DashboardPortInUseError, InvalidDashboardOptionError } from './errors.js'
import type { DashboardStore } from './store.js'
import { DASHBOARD_ICON_SVG } from './page.js'

const log = logger('tessera:cli:dashboard:server')

/** Options of {@link startDashboardServer}. */
export interface DashboardServerInit {
  store: DashboardStore
  /** The page (a self-contained HTML document). */
  page: () => string
  /** TCP port (default 0: a free one). */
  port?: number
  /** Address to listen on (default 127.0.0.1). */
  host?: string
}

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://host:port/`. */
  readonly url: string
  readonly port: number
  /** Browsers holding the event stream open now. */
  clients: () => number
  /** Tells the subscribers the command has finished (an `end` event) and sends the last state. */
  end: () => void
  /** Closes every stream and the server. */
  stop: () => Promise<void>
}

/** Checks a port number: an integer in 0 … 65535 (0 picks a free port). */
export function checkPort (port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidDashboardOptionError(`a dashboard port is an integer from 0 to 65535 (0: any free port), got ${String(port)}`)
  return port
}

/** Server-sent event frame; the JSON never contains a raw newline. */
function sseFrame (event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`
}

/** Starts the server; rejects with {@link DashboardPortInUseError} when the port is taken. */
export async function startDashboardServer (init: DashboardServerInit): Promise<DashboardServer> {
  const port = checkPort(init.port ?? 0)
  const host = init.host ?? DEFAULT_DASHBOARD_HOST
  const { store } = init
  const clients = new Set<ServerResponse>()
  let pending: ReturnType<typeof setTimeout> | undefined
  let lastSentMs = 0
  let ended = false

  const broadcast = (): void => {
    pending = undefined
    lastSentMs = Date.now()
    const frame = sseFrame('state', JSON.stringify(store.snapshot()))
    for (const res of clients) res.write(frame)
  }
  // Changes come in bursts (a gossip sample per peer per second): send the latest state at most every interval.
  const unsubscribe = store.subscribe(() => {
    if (pending !== undefined || clients.size === 0) return
    pending = setTimeout(broadcast, Math.max(0, lastSentMs + SSE_MS.minInterval - Date.now()))
  })
  const heartbeat = setInterval(() => { for (const res of clients) res.write(': heartbeat\n\n') }, SSE_MS.heartbeat)
  heartbeat.unref()

  const openStream = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    res.write(`retry: ${SSE_MS.retry}\n\n`)
    res.write(sseFrame('state', JSON.stringify(store.snapshot())))
    if (ended) res.write(sseFrame('end', '{}'))
    clients.add(res)
    const forget = (): void => { clients.delete(res) }
    req.on('close', forget)
    res.on('error', (err) => {
      log('event stream to a browser failed: %s', describeError(err))
      forget()
    })
  }

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET\n')
      return
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(init.page())
    } else if (path === '/favicon.ico') {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=3600' }).end(DASHBOARD_ICON_SVG)
    } else if (path === '/api/state') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(`${JSON.stringify(store.snapshot())}\n`)
    } else if (path === '/api/events') {
      openStream(req, res)
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the dashboard serves /, /api/state and /api/events\n')
    }
  })
  server.on('clientError', (err, socket) => {
    log('bad request from a browser: %s', describeError(err))
    socket.destroy()
  })

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    unsubscribe()
    clearInterval(heartbeat)
    if (hasErrorCode(err, 'EADDRINUSE')) {
      throw new DashboardPortInUseError(`port ${port} on ${host} is in use by another program: pick another port, or 0 for a free one`, { cause: err })
    }
    throw new DashboardListenError(`the dashboard cannot listen on ${host}:${port}: ${describeError(err)}`, { cause: err })
  }
  server.on('error', (err) => { log.error('dashboard server error: %s', describeError(err)) })
  const bound = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host

  return {
    url: `http://${urlHost}:${bound}/`,
    port: bound,
    clients: () => clients.size,
    end: () => {
      ended = true
      if (pending !== undefined) clearTimeout(pending)
      broadcast()
      for (const res of clients) res.write(sseFrame('end', '{}'))
    },
    stop: async () => {
      unsubscribe()
      clearInterval(heartbeat)
      if (pending !== undefined) clearTimeout(pending)
      for (const res of clients) res.end()
      clients.clear()
      await new Promise<void>((resolve) => {
        server.close(() => { resolve() })
        server.closeAllConnections()
      })
    }
  }
}
