/** Errors of the `tessera` command itself; `runCli` turns an {@link InvalidCliOptionError} into exit code 2. */
import { TesseraError } from '@tessera/errors'

/** Command-line values that each parse but do not fit together (commander checks every flag on its own). */
export class InvalidCliOptionError extends TesseraError { static override readonly code = 'ERR_INVALID_CLI_OPTION' }

/** No bootstrap peer answered within the command's time limit, so there is no network to ask. */
export class BootstrapUnreachableError extends TesseraError { static override readonly code = 'ERR_BOOTSTRAP_UNREACHABLE' }

/** `tessera status` found no running node: no status file in the data dir, its process gone, or no metrics server. */
export class NodeStatusUnavailableError extends TesseraError { static override readonly code = 'ERR_NODE_STATUS_UNAVAILABLE' }
