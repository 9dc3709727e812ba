/**
 * The node's DHT store: kad-dht's datastore, kept free of rollbacks and floods (./dht-store.ts), with the sender
 * of each write known (./sender-context.ts).
 */
export { DhtStore } from './dht-store.js'
export type { DhtStoreInit, DhtStoreLimits, DhtStoreRefusal, DhtStoreStats, ReplacementRule } from './dht-store.js'
export { DhtSenderContext } from './sender-context.js'
export { EntryIndex } from './entry-index.js'
export type { EntryIndexLimits, IndexedEntry } from './entry-index.js'
