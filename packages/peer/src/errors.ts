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

/** The datastore under the data dir cannot be created or opened (corrupt, unreadable…); the message names the path and the cause. */
export class StorageOpenError extends TesseraError { static override readonly code = 'ERR_STORAGE_OPEN' }

/** The identity key file can be read or written by its group or by others: refused, as ssh refuses such a private key. */
export class IdentityFileTooOpenError extends TesseraError { static override readonly code = 'ERR_IDENTITY_FILE_TOO_OPEN' }

/** libp2p could not listen on a configured address; the message names the address and the cause. */
export class ListenFailedError extends TesseraError { static override readonly code = 'ERR_LISTEN_FAILED' }

/** A DHT record or provider entry larger than the node stores (MAX_DHT_RECORD_SIZE_BYTES, MAX_DHT_PROVIDER_KEY_LENGTH). */
export class DhtEntryTooLargeError extends TesseraError { static override readonly code = 'ERR_DHT_ENTRY_TOO_LARGE' }

/** A write under kad-dht's record or provider prefix that is not a kad-dht record or provider entry. */
export class DhtEntryMalformedError extends TesseraError { static override readonly code = 'ERR_DHT_ENTRY_MALFORMED' }

/** A DHT record that would replace a stored one its namespace's selector prefers. */
export class DhtRecordNotPreferredError extends TesseraError { static override readonly code = 'ERR_DHT_RECORD_NOT_PREFERRED' }

/** The DHT store is at a bound and holds nothing it may evict (every entry in question is the node's own). */
export class DhtStoreFullError extends TesseraError { static override readonly code = 'ERR_DHT_STORE_FULL' }

/** A DHT answer that is not a well-formed kad-dht message, or answers for another key than asked. */
export class DhtAnswerMalformedError extends TesseraError { static override readonly code = 'ERR_DHT_ANSWER_MALFORMED' }
