/**
 * @packageDocumentation
 * The communication layer of tessera: a libp2p v3 node that runs a crossbar tile pool in a worker thread, serves
 * matrix shards over `/tessera/shard/1.0.0`, pushes short-term load samples over `/tessera/metrics/1.0.0`, and
 * publishes a signed capacity record in the DHT that coordinators discover through a well-known provider CID.
 *
 * @example
 * ```ts
 * import { createTesseraNode } from '@tessera/peer'
 *
 * const node = await createTesseraNode({ network: 'local', dataDir: './tessera-data', device: 'pcm', tiles: 32 })
 * console.log(node.getMultiaddrs().map(String))
 * const peers = await node.discoverPeers()
 * await node.stop()
 * ```
 */
export { createTesseraNode, joinWaitBoundMs } from './tessera-node.js'
export type { TesseraNode, TesseraNodeInit, TesseraNodeEvents } from './tessera-node.js'
export { ShardClient } from './shard-client.js'
export type { ShardClientInit, ProgramOptions, ProgramResult, ExecuteOptions, ExecuteSession } from './shard-client.js'
export { ShardService } from './shard-service.js'
export type { LeaseExpiry, ShardServiceHooks, ShardServiceInit } from './shard-service.js'
export {
  ByteRateLimiter, DEFAULT_MAX_BYTES_PER_SECOND_PER_PEER, DEFAULT_MAX_EXECUTES_IN_FLIGHT_PER_PEER, DEFAULT_MAX_PENDING_UPLOADS_PER_PEER,
  DEFAULT_MAX_SHARD_STREAMS_TOTAL, DEFAULT_MAX_STREAMS_PER_PEER, DEFAULT_MAX_TILES_PER_PEER_FRACTION, PeerLedger, defaultMaxTilesPerPeer, tilesFor
} from './quotas.js'
export type { PeerQuotas } from './quotas.js'
export { DEFAULT_SHARD_LEASE_MS, ShardLeases, leaseSweepMs } from './leases.js'
export { ShardOwnership, ownedShardKey, unknownShard } from './ownership.js'
export type { OwnedShard } from './ownership.js'
export { connectionLimitsFor, VOLUNTEER_CONNECTION_LIMITS, RELAY_CONNECTION_LIMITS } from './connection-limits.js'
export type { ConnectionLimits } from './connection-limits.js'
export { MetricsService } from './metrics-service.js'
export type { MetricsServiceInit, PeerSample, MetricsServiceEvents } from './metrics-service.js'
export { ShardExecutor } from './executor/shard-executor.js'
export type { Seed, ShardStatus, ExecuteOutcome } from './executor/shard-executor.js'
export { WorkerExecutor } from './executor/worker-executor.js'
export type { WorkerExecutorInit, TransferOptions } from './executor/worker-executor.js'
export type { KernelChoice } from './executor/messages.js'
export { ExecutorPool, pickThread, splitTiles } from './executor/executor-pool.js'
export type { ExecutorPoolInit } from './executor/executor-pool.js'
export type { NodeExecutor } from './executor/node-executor.js'
export { BudgetedExecutor, MemoryBudget, TILE_BYTES_PER_CELL, tileMemoryBytes, workingMemoryBytes } from './executor/memory-budget.js'
export { BUCKET_MAY_BE_FULL, CapacityPublisher, resolveRecordTiming } from './capacity-publisher.js'
export type { CapacitySnapshot, PublishResult, CapacityPublisherComponents, CapacityPublisherInit, RecordTiming } from './capacity-publisher.js'
export { closestKnownPeers, kadId, knownDhtPeers } from './closest-known-peers.js'
export type { ClosestKnownPeers, KnownDhtPeers } from './closest-known-peers.js'
export { KeyPlacements } from './key-placements.js'
export type { Placement } from './key-placements.js'
export { CAPABILITY_BUCKET_CIDS, RECORD_READ_QUORUM, bestValidRecord, capabilityBucketCid, capabilityBucketOf, discoverCapacityRecords, readCapacityRecord, readLocalCapacityRecord, storeLocalRecord } from './discovery.js'
export type { DiscoverOptions, DiscoveredPeer } from './discovery.js'
export { FIRST_BUCKETS, ROOT_BUCKET, bucketCid, bucketName, bucketOfPeer, bucketsAtLevel, bucketsOfPeer, childBuckets } from './capability-buckets.js'
export type { BucketRef } from './capability-buckets.js'
export { DEFAULT_DISCOVER_PEERS_LIMIT, discoverPeersByWalk } from './discover-peers.js'
export { MAX_DIRECT_READ_ANSWER_BYTES, directRecordReader } from './direct-record-read.js'
export type { DirectReadDialer, DirectRecordRead } from './direct-record-read.js'
export { directRecordPutter } from './direct-record-put.js'
export type { DirectRecordPut } from './direct-record-put.js'
export { encodeGetValue, encodePutValue, recordField } from './kad-message.js'
export { ABSENT_PROVIDER_RETRY_MS, DiscoveryWalk, WALK_CONCURRENCY, WALK_READ_CONCURRENCY, candidateFilter } from './discovery-walk.js'
export type { CandidateCriteria, CandidateFilter, DiscoverySource, DiscoveryWalkInit, WalkRound } from './discovery-walk.js'
export { DhtDiscovery, countingDht, dhtDiscoverySource, newDhtMessageCount } from './discovery-source.js'
export type { DhtDiscoveryInit, DhtDiscoveryRound, DhtMessageCount, DiscoveryDht } from './discovery-source.js'
export { createTesseraLibp2p, peerInfoMapperFor } from './libp2p.js'
export { DhtStore, DhtSenderContext, EntryIndex } from './dht-store/index.js'
export type { DhtStoreInit, DhtStoreLimits, DhtStoreRefusal, DhtStoreStats, EntryIndexLimits, IndexedEntry, ReplacementRule } from './dht-store/index.js'
export type { NetworkMode, RelayLimits, TesseraLibp2p, TesseraLibp2pInit, TesseraServices } from './libp2p.js'
export { startBootstrapRedial } from './bootstrap-redial.js'
export type { BootstrapRedial, BootstrapRedialInit } from './bootstrap-redial.js'
export { classifyNat, inferReachability, localIPv4Addresses, NatClassifier, natClassifierComponents, observerOf, NAT_OBSERVE_ATTEMPTS, NAT_OBSERVE_TIMEOUT_MS } from './reachability.js'
export type { MappingObservation, NatClassifierComponents, NatClassifierInit } from './reachability.js'
export { DEFAULT_PRIVATE_AFTER_MS, DEFAULT_RELAY_RESERVATIONS, RELAY_RETRY_MS, RelayFinder, decideReachability, hasPublicDirectAddress, heldRelays, listensOnCircuit, observedBehindNat, relayFinderComponents } from './relay-finder.js'
export type { DecisionInput, ReachabilityDecision, RelayCandidate, RelayFinderComponents, RelayFinderInit } from './relay-finder.js'
export { DEFAULT_JOIN_MAX_WAIT_MS, DEFAULT_JOIN_STABLE_MS, waitForJoin } from './join-wait.js'
export type { JoinOutcome, JoinView, JoinWaitInit } from './join-wait.js'
export { startRecordChangeWatch } from './record-change-watch.js'
export type { RecordChangeWatch, RecordChangeWatchInit } from './record-change-watch.js'
export { DEFAULT_DRAIN_TIMEOUT_MS, leaveGracefully } from './graceful-leave.js'
export type { LeaveOptions, LeaveResult, LeavingNode } from './graceful-leave.js'
export { EXECUTE_LATENCY_BUCKETS_S, NAT_KINDS, NodeMetrics, REACHABILITY_STATES, parseListenAddress, startMetricsServer } from './prometheus.js'
export type { MetricsFactory, MetricsServer, NodeMetricsSource } from './prometheus.js'
export { checkIdentityFileMode, loadOrCreateIdentity } from './identity.js'
export { openStorage } from './storage.js'
export type { NodeStorage } from './storage.js'
export { LoadWindow } from './load-window.js'
export * from './constants.js'
export * from './errors.js'
export type { AnswerToTamper, Misbehaviour, TamperVerdict } from './misbehaviour.js'
