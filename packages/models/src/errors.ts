/**
 * Named errors of the models package. A model whose shapes do not chain or whose weights are NaN fails with the
 * crossbar's ShapeMismatchError and NonFiniteValueError, and a released model with its UnknownHandleError.
 */
import { TesseraError } from '@tessera/errors'

/** The MNIST digit files are missing or not in the layout the `mnist` package ships, or a slice lies outside them. */
export class MnistDataError extends TesseraError { static override readonly code = 'ERR_MNIST_DATA' }

/** Training, model or sweep parameters are out of range (e.g. a zero batch size or a negative learning rate). */
export class InvalidHyperparametersError extends TesseraError { static override readonly code = 'ERR_INVALID_HYPERPARAMETERS' }

/**
 * A model file cannot be used: truncated, a bad magic, an unsupported version, a broken header or a checksum
 * mismatch, or intact but trained with other hyperparameters, another seed or another layer layout. Delete it to
 * retrain.
 */
export class InvalidModelFileError extends TesseraError { static override readonly code = 'ERR_INVALID_MODEL_FILE' }

/** Training or an accuracy-sweep job on a worker thread failed; the message names the job and the worker's error. */
export class ModelWorkerError extends TesseraError { static override readonly code = 'ERR_MODEL_WORKER' }
