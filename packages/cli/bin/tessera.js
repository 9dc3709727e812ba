#!/usr/bin/env node
// The `tessera` command. This launcher is committed (not built) so that npm links it at install time, in a
// checkout (`npx tessera` after `npm ci`, whose `prepare` step builds) as well as from the packed tarball.
import { existsSync } from 'node:fs'

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  console.error(`tessera needs Node.js 22 or newer (libp2p v3); this is ${process.version}. In a checkout, npm scripts and npx use the pinned Node 24.`)
  process.exit(1)
}
const entry = new URL('../dist/src/bin.js', import.meta.url)
if (!existsSync(entry)) {
  console.error('tessera is not built yet: run `npm run build` in the checkout (`npm ci` runs it).')
  process.exit(1)
}
await import(entry.href)
