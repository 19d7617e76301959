// What a probe's training minimises: the loss the file's own training code applies to the model's outputs, read
// from the graph (the losses the frontend found, else the output activation), with what it expects at
// initialisation and the floor a mismatch between the two puts under it.

import type { ModelGraph } from '../core/graph';

export type ObjectiveKind =
  /** Cross-entropy that applies log-softmax itself (PyTorch CrossEntropyLoss, Keras `from_logits=True`). */
  | 'softmax_cross_entropy'
  /** Negative log-likelihood of outputs that are already log-probabilities (NLLLoss). */
  | 'nll'
  /** Cross-entropy of outputs that are already probabilities (Keras categorical_crossentropy). */
  | 'probability_cross_entropy'
  | 'bce_with_logits'
  | 'bce'
  | 'mse';

export interface Objective {
  readonly kind: ObjectiveKind;
  /** Classes for the classification kinds; output width otherwise. */
  readonly classes: number;
  /** Where the choice came from, for the result. */
  readonly source: string;
  /** The loss expected at initialisation and how it is derived. */
  readonly expectedInitial: { readonly value: number; readonly formula: string };
  /** A floor the model's own output activation puts under the loss, with the explanation. */
  readonly floor?: { readonly value: number; readonly formula: string; readonly explanation: string };
}

interface LossUseLike {
  readonly name: string;
  readonly expects?: string;
  readonly applies?: string;
}

const BY_NAME: Readonly<Record<string, ObjectiveKind>> = {
  CrossEntropyLoss: 'softmax_cross_entropy',
  cross_entropy: 'softmax_cross_entropy',
  NLLLoss: 'nll',
  nll_loss: 'nll',
  BCEWithLogitsLoss: 'bce_with_logits',
  binary_cross_entropy_with_logits: 'bce_with_logits',
  BCELoss: 'bce',
  binary_cross_entropy: 'bce',
  MSELoss: 'mse',
  mse_loss: 'mse',
  L1Loss: 'mse',
  SmoothL1Loss: 'mse',
  HuberLoss: 'mse',
  categorical_crossentropy: 'probability_cross_entropy',
  sparse_categorical_crossentropy: 'probability_cross_entropy',
  binary_crossentropy: 'bce',
  mean_squared_error: 'mse',
  mse: 'mse',
};

/** The objective for a model whose output has `outputWidth` values per position. */
export function objectiveFor(graph: ModelGraph, outputOp: string, outputWidth: number): Objective {
  const uses = ((graph as { lossUses?: readonly LossUseLike[] }).lossUses ?? []) as readonly LossUseLike[];
  let kind: ObjectiveKind | undefined;
  let source = '';
  for (const use of uses) {
    const bare = use.name.replace(/^(nn|F|torch\.nn\.functional|tf\.keras\.losses|keras\.losses)\./, '');
    kind = BY_NAME[bare] ?? (use.applies === 'softmax' ? 'softmax_cross_entropy' : use.applies === 'sigmoid' ? 'bce_with_logits' : use.expects === 'log_probabilities' ? 'nll' : use.expects === 'probabilities' ? 'bce' : use.expects === 'values' ? 'mse' : undefined);
    if (kind) {
      source = `the file's loss \`${use.name}\``;
      break;
    }
  }
  if (!kind) {
    for (const name of graph.losses ?? []) {
      const bare = name.replace(/^.*\./, '');
      if (BY_NAME[bare]) {
        kind = BY_NAME[bare];
        source = `the file's loss \`${name}\``;
        break;
      }
    }
  }
  if (!kind) {
    if (outputOp === 'log_softmax') kind = 'nll';
    else if (outputOp === 'softmax') kind = 'probability_cross_entropy';
    else if (outputOp === 'sigmoid') kind = 'bce';
    else kind = outputWidth > 1 ? 'softmax_cross_entropy' : 'mse';
    source = outputOp === 'log_softmax' || outputOp === 'softmax' || outputOp === 'sigmoid'
      ? `the output activation \`${outputOp}\` (no loss found in the file)`
      : outputWidth > 1 ? `${outputWidth} outputs read as class logits (no loss found in the file)` : 'one output read as a regression (no loss found in the file)';
  }
  const C = Math.max(outputWidth, 1);
  const classification = kind === 'softmax_cross_entropy' || kind === 'nll' || kind === 'probability_cross_entropy';
  const expectedInitial = classification
    ? { value: Math.log(C), formula: `ln ${C}` }
    : kind === 'mse' ? { value: 1, formula: 'Var(y)' } : { value: Math.log(2), formula: 'ln 2' };
  let floor: Objective['floor'];
  if (kind === 'softmax_cross_entropy' && outputOp === 'softmax' && C > 1) {
    const value = Math.log(1 + (C - 1) / Math.E);
    floor = {
      value,
      formula: `ln(1 + (C−1)/e) = ln(1 + ${C - 1}/e) = ${value.toFixed(3)}`,
      explanation: `the model ends in softmax and the loss applies softmax again: its inputs are probabilities in [0, 1], so the correct class can lead the others by at most 1 logit and the loss cannot fall below ln(1 + (C−1)/e) = ${value.toFixed(3)} for C = ${C}`,
    };
  } else if (kind === 'bce_with_logits' && outputOp === 'sigmoid') {
    const value = (Math.log(1 + 1 / Math.E) + Math.log(2)) / 2;
    floor = {
      value,
      formula: `(ln(1 + 1/e) + ln 2)/2 = ${value.toFixed(3)}`,
      explanation: 'the model ends in sigmoid and the loss applies sigmoid again: a positive label costs at least ln(1 + 1/e) and a negative one at least ln 2',
    };
  } else if (kind === 'nll' && outputOp !== 'log_softmax' && outputOp !== 'softmax' && C > 1) {
    floor = undefined;
  }
  return { kind, classes: C, source, expectedInitial, floor };
}

export namespace Objective {
  export function isClassification(o: Objective): boolean {
    return o.kind === 'softmax_cross_entropy' || o.kind === 'nll' || o.kind === 'probability_cross_entropy';
  }
  export function describe(o: Objective): string {
    switch (o.kind) {
      case 'softmax_cross_entropy':
        return `cross-entropy over ${o.classes} classes (applies softmax)`;
      case 'nll':
        return `negative log-likelihood over ${o.classes} classes`;
      case 'probability_cross_entropy':
        return `cross-entropy of probabilities over ${o.classes} classes`;
      case 'bce_with_logits':
        return 'binary cross-entropy (applies sigmoid)';
      case 'bce':
        return 'binary cross-entropy of probabilities';
      case 'mse':
        return 'mean squared error';
    }
  }
}
