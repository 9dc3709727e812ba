import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { hasErrorCode } from '@tessera/errors'
import { dashboardPage } from '../../src/dashboard/page.js'
import { checkPort, startDashboardServer } from '../../src/dashboard/server.js'
import type { DashboardServer } from '../../src/dashboard/server.js'
import { DashboardPortInUseError, InvalidDashboardOptionError } from '../../src/dashboard/errors.js'
import { DashboardStore } from '../../src/dashboard/store.js'
import type { DashboardState } from '../../src/dashboard/types.js'
import { SseClient, until } from './sse-client.js'
import { withPortInUse } from '../helpers.js'

describe('dashboard server', () => {
  let store: DashboardStore
  let server: DashboardServer

  before(async () => {
    store = new DashboardStore({ title: 'test network', mode: 'watch', sources: ['here'] })
    server = await startDashboardServer({ store, page: dashboardPage, port: 0 })
  })
  after(async () => {
    await server.stop()
  })

  it('listens on 127.0.0.1 on a free port', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.ok(server.port > 0)
  })

  it('serves a page that loads nothing from elsewhere (it works offline)', async () => {
    const res = await fetch(server.url)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /text\/html/)
    const html = await res.text()
    assert.match(html, /new EventSource\('\/api\/events'\)/)
    assert.match(html, /uPlot/)
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?https?:/i)
  })

  it('serves the state as JSON', async () => {
    store.notice('info', 'hello')
    const res = await fetch(`${server.url}api/state`)
    assert.equal(res.status, 200)
    const state = await res.json() as DashboardState
    assert.equal(state.title, 'test network')
    assert.equal(state.mode, 'watch')
    assert.deepEqual(state.peers, [])
    assert.equal(state.notices.at(-1)?.text, 'hello')
  })

  it('answers other paths with 404 and other methods with 405', async () => {
    assert.equal((await fetch(`${server.url}nope`)).status, 404)
    assert.equal((await fetch(`${server.url}api/state`, { method: 'POST' })).status, 405)
  })

  it('streams the whole state on connect and after a change, forgets a browser that leaves, and sends everything again when it comes back', async () => {
    const first = new SseClient(`${server.url}api/events`)
    const initial = JSON.parse((await first.next('state')).data) as DashboardState
    assert.equal(initial.title, 'test network')
    await until('one client', () => server.clients() === 1)
    store.notice('warning', 'peer x is gone')
    const update = JSON.parse((await first.next('state')).data) as DashboardState
    assert.equal(update.notices.at(-1)?.text, 'peer x is gone')
    await first.close()
    await until('the server to forget the client', () => server.clients() === 0)
    // Changes while nobody listens are not queued for anyone, and do not fail.
    store.notice('info', 'while away')
    const again = new SseClient(`${server.url}api/events`)
    const back = JSON.parse((await again.next('state')).data) as DashboardState
    assert.equal(back.notices.at(-1)?.text, 'while away')
    await again.close()
  })

  it('tells connected browsers when the command has ended', async () => {
    const client = new SseClient(`${server.url}api/events`)
    await client.next('state')
    store.ended = true
    server.end()
    const last = JSON.parse((await client.next('state')).data) as DashboardState
    assert.equal(last.ended, true)
    await client.next('end')
    await client.close()
  })
})

describe('dashboard server, bad options', () => {
  it('says clearly that a port is taken', async () => {
    await withPortInUse(async (port) => {
      const store = new DashboardStore({ title: 't', mode: 'watch', sources: [] })
      await assert.rejects(startDashboardServer({ store, page: () => '', port }), (err: unknown) => {
        assert.ok(err instanceof DashboardPortInUseError)
        assert.ok(hasErrorCode(err, 'ERR_DASHBOARD_PORT_IN_USE'))
        assert.match(err.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`))
        assert.ok(hasErrorCode(err.cause, 'EADDRINUSE'))
        return true
      })
    })
  })

  it('rejects a port out of range', () => {
    assert.throws(() => checkPort(70_000), InvalidDashboardOptionError)
    assert.throws(() => checkPort(-1), InvalidDashboardOptionError)
    assert.throws(() => checkPort(1.5), InvalidDashboardOptionError)
    assert.equal(checkPort(0), 0)
  })
})
