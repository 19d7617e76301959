// MT008 labels-scaled: the class labels of a Keras image dataset divided by 255 like its pixels.

import type { Finding } from '../findings';
import type { FileRule } from './rule';

export const labelsScaled: FileRule = {
  kind: 'file',
  code: 'MT008',
  name: 'labels-scaled',
  defaultSeverity: 'warning',
  docs: {
    summary: 'The labels of a Keras image dataset (mnist, cifar10, …) are divided by 255, as if they were pixels, before fit.',
    why:
      'load_data() gives class indices 0–9 as labels. Divided by 255 they become fractions between 0 and 0.04: ' +
      'sparse_categorical_crossentropy casts them to integers, so every sample is labelled class 0, and any other ' +
      'loss learns targets that no longer name a class. Training runs, the loss falls, and accuracy sits at the ' +
      'share of class 0. The division was meant for the images.',
    bad: 'x_train = x_train / 255\ny_train = y_train / 255',
    good: 'x_train = x_train / 255\nx_test = x_test / 255',
    fix: 'No automatic fix: remove the division of the labels (and scale the test images, which the line was probably meant for).',
  },
  check({ facts, severity }) {
    const findings: Finding[] = [];
    for (const label of facts.scaledLabels ?? []) {
      findings.push({
        code: 'MT008',
        severity,
        message: `\`${label.variable}\` holds the class indices ${label.written}() gives, and it is divided by 255 like the pixels: the labels become fractions near 0, which a class-index loss reads as class 0 for every sample. Divide the images, not the labels.`,
        range: label.range,
        related: [{ range: label.sourceRange, message: `${label.variable} is loaded here as class indices` }],
        fixes: [],
      });
    }
    return findings;
  },
};
