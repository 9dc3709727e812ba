/**
 * Errors of the volunteer's node. Errors of the shard protocol are the wire package's (`BusyError`,
 * `UnknownShardError`…), of hole punching the holepunch package's; these are the node's own.
 */
import { TesseraError } from '@tessera/errors'

/** An option given to `createTesseraNode`, a service or the executor is out of range or of the wrong kind. */
export class InvalidNodeOptionError extends TesseraError { static override readonly code = 'ERR_INVALID_NODE_OPTION' }

/** The identity file in the data dir is not a protobuf-marshalled Ed25519 private key. */
export class InvalidIdentityError extends TesseraError { static override readonly code = 'ERR_INVALID_IDENTITY' }

/** The executor worker thread exited or failed, or was stopped; requests in flight and later ones are rejected. */
export class ExecutorStoppedError extends TesseraError { static override readonly code = 'ERR_EXECUTOR_STOPPED' }

/** The node (or one of its services) has been stopped, or was never started. */
export class NodeNotStartedError extends TesseraError { static override readonly code = 'ERR_NODE_NOT_STARTED' }

/** A capacity record could not be signed into a form that our own validator accepts. */
export class RecordRejectedError extends TesseraError { static override readonly code = 'ERR_RECORD_REJECTED' }

/** The data dir's datastore is locked, most likely by another tessera node using the same dir. */
export class DataDirInUseError extends TesseraError { static override readonly code = 'ERR_DATA_DIR_IN_USE' }
