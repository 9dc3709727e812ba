/**
 * The tessera NAT lab: network namespaces with real NAT routers (endpoint-independent "cone" and symmetric), a
 * public segment with a relay host, a STUN responder and public peers, all confined to the lab.
 *
 * @example
 * ```ts
 * import { createLab } from './natlab/index.js'
 *
 * const lab = createLab({ prefix: 'demo' })
 * await lab.up()
 * const node = lab.exec('cone1-a', [process.execPath, 'node.js', '--stun', lab.stun.url], { stdio: 'inherit' })
 * console.log(lab.hosts.cone1.publicAddress, lab.hosts['cone1-a'].lanAddress)
 * node.kill()
 * await lab.down()
 * ```
 */
export { createLab } from './lab.js'
export type { DownResult, ExecOptions, HostStatus, Lab, LabInit, LabStatus, RunInHostOptions, UpOptions, UpResult } from './lab.js'
export type { NetemOptions } from './build.js'
export type { RunResult } from './commands.js'
export { findLeaks } from './confinement.js'
export type { ConfinementSnapshot } from './confinement.js'
export { observeMappings, punch, startEchoServer, stunBinding, tryConnect } from './measure.js'
export type { ConnectOutcome, EchoServer, Endpoint, Observation, PunchOptions, PunchSide } from './measure.js'
export { createPortAllocator, runSelfCheck, withRoute } from './selfcheck.js'
export type { CheckResult, PortAllocator, SelfCheckOptions } from './selfcheck.js'
export type { StunChoice, StunProcess } from './stun.js'
export { DEFAULT_ROUTERS, IFACE, planTopology } from './topology.js'
export type { HostRole, LabHost, NatKind, RouterInit, TopologyInit, TopologyPlan } from './topology.js'
export * from './errors.js'
export { DEFAULT_MATRIX_ATTEMPTS, median, PAIR_NAMES, runMatrix, runShardClient, summarize } from './matrix.js'
export type { MatrixAttempt, MatrixInit, MatrixPair, MatrixResult, PairName } from './matrix.js'
export { DEFAULT_RELAY_DATA_LIMIT_BYTES, DEFAULT_RELAY_DURATION_LIMIT_MS, startLabNetwork } from './lab-network.js'
export type { LabNetwork, LabNetworkInit } from './lab-network.js'
export { MATRIX_REPORT_DIR, matrixJson, matrixTable, mnistSummary, mnistTable, mnistText, writeMatrixReport } from './matrix-report.js'
export { DEFAULT_MNIST_POLICY, DEFAULT_MNIST_REQUESTS, DEFAULT_MNIST_RUN_TIMEOUT_MS, describeMnistRun, expectedClassification, MNIST_MODEL_CACHE_DIR, peersByPath, runMnist, servingNodes, waitForClassifiedRecords } from './mnist.js'
export type { MnistRun, MnistRunInit, MnistRunPeer } from './mnist.js'
export { LAB_NODE_PORT, NODE_START_TIMEOUT_MS, startTesseraNode, tesseraBinArgv, TesseraProcess, waitForReachability } from './tessera.js'
export type { NodeLine } from './tessera.js'
export { JsonLineProcess } from './json-lines.js'
export type { JsonLine } from './json-lines.js'
export type { ClientResult } from './probes/shard-client.js'
