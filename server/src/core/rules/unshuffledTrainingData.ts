// MT001 unshuffled-training-data: a training DataLoader or Keras fit without shuffling.

import type { Finding, Fix } from '../findings';
import type { FileRule } from './rule';

export const unshuffledTrainingData: FileRule = {
  kind: 'file',
  code: 'MT001',
  name: 'unshuffled-training-data',
  defaultSeverity: 'warning',
  docs: {
    summary: "A training DataLoader without shuffle=True (PyTorch's default is no shuffling), Keras or TF.js fit(shuffle=False), or a tf.data pipeline given to fit that batches without shuffling.",
    why:
      'Without shuffling every epoch sees the batches in the same order, and data files are usually sorted (by class, ' +
      'by time, by source). The model then drifts towards whatever the last batches contain and is pulled back each ' +
      'epoch: the classic periodic spikes in the training loss, slower convergence and a worse optimum. Evaluation ' +
      'loaders need no shuffling and are not reported; nor are loaders with a sampler, or streaming datasets and ' +
      'datapipes (IterableDataset, torchtext.datasets.*), which are shuffled in the pipe. fit(shuffle=False) ' +
      'on a model with a recurrent layer (a time series, often kept in order on purpose) is information.',
    bad: 'train_loader = DataLoader(train_ds, batch_size=64)',
    good: 'train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)',
    fix: 'Adds shuffle=True (or turns shuffle=False into True). Safe unless the order matters on purpose (stateful RNNs over consecutive chunks); then suppress the finding with a comment.',
  },
  check({ facts, graphs, severity }) {
    const findings: Finding[] = [];
    // A sequence model trained by fit(shuffle=False) is usually a time series whose order was kept on purpose (a
    // stateful RNN needs it); the order of independent windows still does not matter, so this is only a note.
    const recurrent = graphs.some((g) => g.nodes.some((n) => n.category === 'recurrent' && n.origin === undefined));
    for (const p of facts.pipelines) {
      if (p.role !== 'train' || p.hasSampler || p.iterable) continue;
      if (p.shuffle !== 'false' && p.shuffle !== 'absent') continue;
      const deliberate = p.kind === 'fit' && p.shuffle === 'false' && recurrent;
      const fixes: Fix[] = p.enableShuffle ? [{ title: `Shuffle the training data: ${p.enableShuffle.description}`, edits: p.enableShuffle.edits, isPreferred: true }] : [];
      const what = p.kind === 'fit'
        ? `${p.written ?? 'fit(shuffle=False)'} trains on the batches in the same order every epoch`
        : p.kind === 'dataset'
          ? 'This tf.data pipeline batches the training data without shuffling it (fit does not shuffle a Dataset), so every epoch sees the same batches in the same order'
        : p.shuffle === 'false'
          ? `The training DataLoader${p.name ? ` \`${p.name}\`` : ''} has shuffle=False, so every epoch sees the batches in the same order`
          : `The training DataLoader${p.name ? ` \`${p.name}\`` : ''} does not shuffle (PyTorch's default is shuffle=False), so every epoch sees the batches in the same order`;
      findings.push({
        code: 'MT001',
        severity: deliberate && (severity === 'warning' || severity === 'error') ? 'information' : severity,
        message: deliberate
          ? `${what}; with a recurrent model that is often on purpose (a time series, a stateful RNN), but unless the RNN is stateful the order of the windows does not matter and shuffling them trains better.`
          : `${what}: on sorted data the loss spikes periodically and training converges to a worse optimum.`,
        range: p.shuffleRange ?? p.range,
        fixes,
      });
    }
    return findings;
  },
};
