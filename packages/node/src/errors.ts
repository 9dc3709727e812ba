/** Errors of the node package. Each has a `name`, a default message and a stable `code`. */
import { TesseraError } from '@tessera/errors'

export class TesseraNodeError extends Error {
  static readonly code: string = 'ERR_TESSERA_NODE'
  readonly code: string

  constructor (message = 'tessera node error', code = TesseraNodeError.code, options?: ErrorOptions) {
    super(message, options)
    this.name = 'TesseraNodeError'
    this.code = code
  }
}

/** An option given to a factory or the CLI is out of range or of the wrong kind. */
export class InvalidOptionError extends TesseraNodeError {
  static override readonly code = 'ERR_INVALID_OPTION'
  constructor (message = 'invalid option', options?: ErrorOptions) {
    super(message, InvalidOptionError.code, options)
    this.name = 'InvalidOptionError'
  }
}

/** The identity file in the data dir is not a protobuf-marshalled Ed25519 private key. */
export class InvalidIdentityError extends TesseraNodeError {
  static override readonly code = 'ERR_INVALID_IDENTITY'
  constructor (message = 'the identity file is not an Ed25519 private key', options?: ErrorOptions) {
    super(message, InvalidIdentityError.code, options)
    this.name = 'InvalidIdentityError'
  }
}

/** The executor worker thread exited or failed; requests in flight and later ones are rejected. */
export class ExecutorStoppedError extends TesseraNodeError {
  static override readonly code = 'ERR_EXECUTOR_STOPPED'
  constructor (message = 'the executor worker is not running', options?: ErrorOptions) {
    super(message, ExecutorStoppedError.code, options)
    this.name = 'ExecutorStoppedError'
  }
}

/** The node has not been started, or has been stopped. */
export class NodeNotStartedError extends TesseraNodeError {
  static override readonly code = 'ERR_NODE_NOT_STARTED'
  constructor (message = 'the tessera node is not running', options?: ErrorOptions) {
    super(message, NodeNotStartedError.code, options)
    this.name = 'NodeNotStartedError'
  }
}

/** A capacity record could not be signed into a form that our own validator accepts. */
export class RecordRejectedError extends TesseraNodeError {
  static override readonly code = 'ERR_RECORD_REJECTED'
  constructor (message = 'our own capacity record failed validation', options?: ErrorOptions) {
    super(message, RecordRejectedError.code, options)
    this.name = 'RecordRejectedError'
  }
}

/** The data dir's datastore is locked, most likely by another tessera node using the same dir. */
export class DataDirInUseError extends TesseraNodeError {
  static override readonly code = 'ERR_DATA_DIR_IN_USE'
  constructor (message = 'the data dir is in use by another process', options?: ErrorOptions) {
    super(message, DataDirInUseError.code, options)
    this.name = 'DataDirInUseError'
  }
}

/** A DHT record or provider entry larger than the node stores (MAX_DHT_RECORD_SIZE_BYTES, MAX_DHT_PROVIDER_KEY_LENGTH). */
export class DhtEntryTooLargeError extends TesseraError {
  static override readonly code = 'ERR_DHT_ENTRY_TOO_LARGE'
}

/** A write under kad-dht's record prefix whose value is not a serialized kad-dht record. */
export class DhtEntryMalformedError extends TesseraError {
  static override readonly code = 'ERR_DHT_ENTRY_MALFORMED'
}

/** The DHT store is at a bound and holds nothing it may evict (every entry in question is the node's own). */
export class DhtStoreFullError extends TesseraError {
  static override readonly code = 'ERR_DHT_STORE_FULL'
}

/** A DHT record that would replace a stored one its namespace's selector prefers. */
export class DhtRecordNotPreferredError extends TesseraError {
  static override readonly code = 'ERR_DHT_RECORD_NOT_PREFERRED'
}

/** The datastore under the data dir cannot be created or opened (corrupt, unreadable…); the message names the path and the cause. */
export class StorageOpenError extends TesseraError {
  static override readonly code = 'ERR_STORAGE_OPEN'
}

/** The identity key file can be read by its group or by others: refused, as ssh refuses such a private key. */
export class IdentityFileTooOpenError extends TesseraError {
  static override readonly code = 'ERR_IDENTITY_FILE_TOO_OPEN'
}

/** libp2p could not listen on a configured address; the message names the address and the cause. */
export class ListenFailedError extends TesseraError {
  static override readonly code = 'ERR_LISTEN_FAILED'
}

/** No bootstrap peer could be reached; the message names each address and why its dial failed. */
export class BootstrapUnreachableError extends TesseraError {
  static override readonly code = 'ERR_BOOTSTRAP_UNREACHABLE'
}
