/**
 * Generated protobuf codecs (protons 9; regenerate with `npm run generate --workspace @tessera/wire`). The
 * checked API in the package root is what callers normally use; these raw codecs exist for tests that must
 * put malformed messages on the wire and for code that needs field-level access.
 */
export * from './shard.js'
export * from './metrics.js'
export * from './capacity.js'
