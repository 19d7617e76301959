// The rule registry: every rule, by code. Docs, SARIF metadata and configuration all read from here.

import { accuracyOnRegression } from './accuracyOnRegression';
import { activationAppliedTwice } from './activationAppliedTwice';
import { biasBeforeNorm } from './biasBeforeNorm';
import { constantInit } from './constantInit';
import { dropoutAlwaysOn } from './dropoutAlwaysOn';
import { dropoutBeforeBatchNorm } from './dropoutBeforeBatchNorm';
import { dropoutBeforePooling } from './dropoutBeforePooling';
import { evalWithoutEvalMode } from './evalWithoutEvalMode';
import { labelsScaled } from './labelsScaled';
import { layerReused } from './layerReused';
import { learningRateOutOfRange } from './learningRateOutOfRange';
import { linearCollapse } from './linearCollapse';
import { logitsIntoProbabilityLoss } from './logitsIntoProbabilityLoss';
import { lossOutputMismatch } from './lossOutputMismatch';
import { missingZeroGrad } from './missingZeroGrad';
import { outputClipped } from './outputClipped';
import { poolingOnlyNonlinearity } from './poolingOnlyNonlinearity';
import type { FileRule, ModelRule, Rule } from './rule';
import { shapeMismatch } from './shapeMismatch';
import { softmaxOverBatch } from './softmaxOverBatch';
import { softmaxOverOneUnit } from './softmaxOverOneUnit';
import { trainModeNotRestored } from './trainModeNotRestored';
import { unscaledInputs } from './unscaledInputs';
import { unshuffledTrainingData } from './unshuffledTrainingData';
import { unusedLayer } from './unusedLayer';
import { validationSplitUnshuffled } from './validationSplitUnshuffled';
import { widthsGrowToOutput } from './widthsGrowToOutput';

/** Rules over one model graph (MA). */
export const MODEL_RULES: readonly ModelRule[] = [
  linearCollapse,
  unusedLayer,
  activationAppliedTwice,
  shapeMismatch,
  outputClipped,
  logitsIntoProbabilityLoss,
  dropoutAlwaysOn,
  biasBeforeNorm,
  softmaxOverBatch,
  layerReused,
  softmaxOverOneUnit,
  lossOutputMismatch,
  dropoutBeforeBatchNorm,
  constantInit,
  poolingOnlyNonlinearity,
  widthsGrowToOutput,
  accuracyOnRegression,
  dropoutBeforePooling,
];

/** Rules over a file's training code (MT). */
export const FILE_RULES: readonly FileRule[] = [unshuffledTrainingData, missingZeroGrad, evalWithoutEvalMode, trainModeNotRestored, unscaledInputs, learningRateOutOfRange, validationSplitUnshuffled, labelsScaled];

/** Every rule, in code order. */
export const ALL_RULES: readonly Rule[] = [...MODEL_RULES, ...FILE_RULES].sort((a, b) => a.code.localeCompare(b.code));

export const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((r) => [r.code, r]));

/** The rule a configuration key names, by code (`MA001`) or name (`linear-collapse`). */
export function ruleFor(key: string): Rule | undefined {
  return RULES_BY_CODE.get(key.toUpperCase()) ?? ALL_RULES.find((r) => r.name === key);
}
