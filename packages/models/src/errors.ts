/**
 * Named errors of the models package. Every failure has its own class with `name` and `code` set, so callers
 * can branch on `err.name` (or `instanceof`) instead of parsing messages.
 */

/** Base class of every models error. */
export class ModelsError extends Error {
  readonly code: string
  constructor (message: string, code = 'ERR_MODELS') {
    super(message)
    this.name = 'ModelsError'
    this.code = code
  }
}

/** The MNIST digit files are missing or not in the layout the `mnist` package ships. */
export class MnistDataError extends ModelsError {
  static readonly code = 'ERR_MNIST_DATA'
  constructor (message = 'the MNIST digit files could not be read') {
    super(message, MnistDataError.code)
    this.name = 'MnistDataError'
  }
}

/** Training or model hyperparameters are out of range (e.g. a zero batch size or a negative learning rate). */
export class InvalidHyperparametersError extends ModelsError {
  static readonly code = 'ERR_INVALID_HYPERPARAMETERS'
  constructor (message = 'invalid hyperparameters') {
    super(message, InvalidHyperparametersError.code)
    this.name = 'InvalidHyperparametersError'
  }
}

/** A model's layers do not chain (a layer's outputs differ from the next layer's inputs) or an array has the wrong length. */
export class ModelShapeMismatchError extends ModelsError {
  static readonly code = 'ERR_MODEL_SHAPE_MISMATCH'
  constructor (message = 'model or input shape does not match') {
    super(message, ModelShapeMismatchError.code)
    this.name = 'ModelShapeMismatchError'
  }
}

/** A weight or bias is NaN or ±Infinity. */
export class NonFiniteWeightError extends ModelsError {
  static readonly code = 'ERR_NON_FINITE_WEIGHT'
  constructor (message = 'a weight or bias is NaN or infinite') {
    super(message, NonFiniteWeightError.code)
    this.name = 'NonFiniteWeightError'
  }
}

/** A model file is truncated, has a bad magic, an unsupported version, a broken header or a checksum mismatch. */
export class CorruptModelFileError extends ModelsError {
  static readonly code = 'ERR_CORRUPT_MODEL_FILE'
  constructor (message = 'the model file is corrupt') {
    super(message, CorruptModelFileError.code)
    this.name = 'CorruptModelFileError'
  }
}

/** A model file is intact but was trained with other hyperparameters, another seed or another layer layout. */
export class ModelFileMismatchError extends ModelsError {
  static readonly code = 'ERR_MODEL_FILE_MISMATCH'
  constructor (message = 'the model file does not match the requested model') {
    super(message, ModelFileMismatchError.code)
    this.name = 'ModelFileMismatchError'
  }
}

/** A job of the accuracy sweep failed (in a worker thread or in process); the message names the job. */
export class AccuracyJobError extends ModelsError {
  static readonly code = 'ERR_ACCURACY_JOB'
  constructor (message = 'an accuracy sweep job failed') {
    super(message, AccuracyJobError.code)
    this.name = 'AccuracyJobError'
  }
}

/** Training a model on a worker thread failed; the message carries the worker's error. */
export class TrainingFailedError extends ModelsError {
  static readonly code = 'ERR_TRAINING_FAILED'
  constructor (message = 'training failed') {
    super(message, TrainingFailedError.code)
    this.name = 'TrainingFailedError'
  }
}

/** A model on crossbar tiles was used after `release()`. */
export class ModelReleasedError extends ModelsError {
  static readonly code = 'ERR_MODEL_RELEASED'
  constructor (message = 'the model was released from its tiles') {
    super(message, ModelReleasedError.code)
    this.name = 'ModelReleasedError'
  }
}
