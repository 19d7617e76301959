// Training facts: what a file's training code does (data loaders, optimizer steps, evaluation blocks, train/eval
// mode switches), as plain data. A frontend reads them from the syntax tree (python/trainingFacts.ts for PyTorch and
// Keras scripts); the training-loop rules (MT001–MT004) are pure functions of them.

import type { OpEdit, Range } from './graph';

/** A data pipeline that yields mini-batches: `DataLoader(...)`, Keras `fit(...)`, a tf.data `Dataset` given to fit. */
export interface DataPipelineFact {
  /** The call, as written: `DataLoader(train_ds, batch_size=64)`, `model.fit(x, y, shuffle=False)`. */
  readonly range: Range;
  readonly kind: 'dataloader' | 'fit' | 'dataset';
  /** The variable the pipeline is stored in, when it is. */
  readonly name?: string;
  /** `absent` means the argument is not given (the framework's default applies). */
  readonly shuffle: 'true' | 'false' | 'absent' | 'unknown';
  /** A sampler or batch sampler decides the order instead of `shuffle`. */
  readonly hasSampler: boolean;
  /** The dataset is streamed (an IterableDataset) and cannot be shuffled by the loader. */
  readonly iterable: boolean;
  /** Whether the batches train a model (iterated in a loop that calls backward, or named so) or evaluate it. */
  readonly role: 'train' | 'eval' | 'unknown';
  /** Where `shuffle=False` is written, when it is. */
  readonly shuffleRange?: Range;
  /** Turns shuffling on. */
  readonly enableShuffle?: OpEdit;
  /** How an unshuffled `fit` reads in messages when the frontend's framework spells it otherwise: `fit(…, { shuffle: false })`. */
  readonly written?: string;
}

/** An optimizer step inside a loop (or a function called in one). */
export interface OptimizerStepFact {
  /** The `optimizer.step()` call. */
  readonly range: Range;
  /** The optimizer as written: `optimizer`, `self.opt`. */
  readonly optimizer: string;
  /** The innermost loop that repeats the step. */
  readonly loopRange: Range;
  /** Whether that loop clears gradients each time round (`zero_grad()`, `p.grad = None`, or a helper that does). */
  readonly zeroesGradients: boolean;
  /** Whether that loop computes gradients (`.backward(...)`). */
  readonly backward: boolean;
  /** The backward() call whose gradients the step applies, when it is found in the loop or the step's function. */
  readonly backwardRange?: Range;
  /** The step takes a closure (LBFGS), which clears gradients itself. */
  readonly closure: boolean;
  /** Inserts `optimizer.zero_grad()` before the backward pass. */
  readonly insertZeroGrad?: OpEdit;
}

/** A block that runs a model for evaluation: `with torch.no_grad():`, `torch.inference_mode()`, `@torch.no_grad()`. */
export interface EvaluationFact {
  /** The `with` item or decorator that turns gradients off. */
  readonly range: Range;
  /** How gradients are turned off. */
  readonly guard: 'no_grad' | 'inference_mode';
  /** The first model call inside it. */
  readonly callRange: Range;
  /** The model as written at the call: `model`, `self.net`. */
  readonly model: string;
  /** The model's name in the file's graphs (its class), when the variable can be traced to it. */
  readonly modelName?: string;
  /** Whether evaluation mode is set before the call (`model.eval()` earlier in the function, or at every caller). */
  readonly evalModeSet: boolean;
  /** Inserts `model.eval()` before the block. */
  readonly insertEval?: OpEdit;
}

/** A switch to evaluation mode inside a loop that trains. */
export interface ModeSwitchFact {
  /** The `model.eval()` call, or the call of a helper that ends in evaluation mode. */
  readonly range: Range;
  readonly model: string;
  /** The training loop (the innermost loop that holds both the switch and a backward pass). */
  readonly loopRange: Range;
  /** Whether the loop switches back (`model.train()` anywhere in it, directly or through a helper). */
  readonly restored: boolean;
  /** Whether this model is trained at all (`model.train()` somewhere, or its parameters given to an optimizer); a frozen teacher is not. */
  readonly trained: boolean;
  /** Inserts `model.train()` at the top of the loop body. */
  readonly insertTrain?: OpEdit;
}

/** Inputs given to `fit` that come from a raw source and are never scaled on the way. */
export interface InputScalingFact {
  /** The call that loads the raw data: `mnist.load_data()`, `pd.read_csv(...)`. */
  readonly range: Range;
  /** The `fit` call the data goes into. */
  readonly fitRange: Range;
  /** Raw image pixels (integers 0–255) or a table of raw feature values. */
  readonly source: 'pixels' | 'table';
  /** The loading call as written, without its arguments: `mnist.load_data`. */
  readonly written: string;
  /** The expression given to fit, when short. */
  readonly variable?: string;
}

/** A learning rate outside the range in which its optimizer can train. */
export interface LearningRateFact {
  /** The value as written. */
  readonly range: Range;
  /** The optimizer's class: `SGD`, `Adam`. */
  readonly optimizer: string;
  readonly value: number;
  /** The largest sensible value for that optimizer. */
  readonly limit: number;
  readonly problem: 'too-large' | 'too-small';
}

/** `fit(..., validation_split=v)` on arrays read from a file that nothing in the script shuffles. */
export interface ValidationSplitFact {
  /** The `validation_split` value as written. */
  readonly range: Range;
  readonly value: number;
  /** Where the arrays are read, and how it is written (`np.load`). */
  readonly sourceRange: Range;
  readonly written: string;
  /** `arrays`: saved arrays (np.load, h5py), usually built class by class; `table`: rows of a CSV or text table. */
  readonly source: 'arrays' | 'table';
  /** The variable passed to fit as x, when short. */
  readonly variable?: string;
}

/** Labels of a Keras classification dataset divided like pixels (`y_train = y_train / 255`) before fit. */
export interface LabelScalingFact {
  /** The division. */
  readonly range: Range;
  /** Where the labels are loaded (`mnist.load_data()`). */
  readonly sourceRange: Range;
  readonly written: string;
  readonly variable: string;
}

export interface TrainingFacts {
  readonly pipelines: readonly DataPipelineFact[];
  readonly steps: readonly OptimizerStepFact[];
  readonly evaluations: readonly EvaluationFact[];
  readonly modeSwitches: readonly ModeSwitchFact[];
  /** Unscaled inputs of `fit` (Python frontends; absent elsewhere). */
  readonly inputs?: readonly InputScalingFact[];
  /** Learning rates out of range (Python frontends; absent elsewhere). */
  readonly learningRates?: readonly LearningRateFact[];
  /** Python only: validation splits taken from arrays in file order (Keras splits before it shuffles). */
  readonly validationSplits?: readonly ValidationSplitFact[];
  /** Python only: class labels scaled as if they were pixels. */
  readonly scaledLabels?: readonly LabelScalingFact[];
}

export namespace TrainingFacts {
  export const empty: TrainingFacts = { pipelines: [], steps: [], evaluations: [], modeSwitches: [] };
}
