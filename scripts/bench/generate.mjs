// Generated model files for the benchmarks: realistic PyTorch modules with training code around them.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file of `count` realistic models; every fifth one lacks an activation. */
export function generateModels(count, first = 0) {
  const parts = ['import torch', 'import torch.nn as nn', 'import torch.nn.functional as F', ''];
  for (let i = first; i < first + count; i++) {
    const w = 64 + (i % 8) * 32;
    parts.push(
      '',
      `class Model${i}(nn.Module):`,
      `    """Generated model ${i}: a ${i % 5 === 0 ? 'buggy' : 'clean'} MLP with a residual block."""`,
      '',
      `    def __init__(self, d_in: int = ${w}, hidden: int = ${w * 2}, classes: int = 10):`,
      '        super().__init__()',
      '        self.fc1 = nn.Linear(d_in, hidden)',
      '        self.fc2 = nn.Linear(hidden, hidden)',
      '        self.norm = nn.LayerNorm(hidden)',
      '        self.fc3 = nn.Linear(hidden, hidden)',
      '        self.dropout = nn.Dropout(0.1)',
      '        self.head = nn.Linear(hidden, classes)',
      '',
      '    def forward(self, x):',
      '        x = F.relu(self.fc1(x))',
      '        residual = x',
      '        x = F.gelu(self.fc2(x))',
      '        x = self.norm(x + residual)',
      `        x = ${i % 5 === 0 ? 'self.dropout(self.fc3(x))' : 'self.dropout(F.relu(self.fc3(x)))'}`,
      '        # The head reads logits for nn.CrossEntropyLoss.',
      '        return self.head(x)',
      '',
      '',
      `def train_step_${i}(model, batch, optimizer):`,
      '    inputs, targets = batch',
      '    optimizer.zero_grad()',
      '    loss = F.cross_entropy(model(inputs), targets)',
      '    loss.backward()',
      '    optimizer.step()',
      '    return loss.item()',
      '',
      '',
      `def evaluate_${i}(model, loader):`,
      '    model.eval()',
      '    correct = 0',
      '    with torch.no_grad():',
      '        for inputs, targets in loader:',
      '            correct += (model(inputs).argmax(1) == targets).sum().item()',
      '    return correct',
      '',
      '',
      `CONFIG_${i} = dict(lr=1e-3, epochs=10, batch_size=64, seed=${i})`,
      `NOTES_${i} = """`,
      ...Array.from({ length: 6 }, (_, k) => `  note line ${k} for model ${i}`),
      '"""',
    );
  }
  return `${parts.join('\n')}\n`;
}

/** Writes a workspace of `files` model files (three models each, ~150 lines) under `dir`, in a few packages. */
export function writeWorkspace(dir, files) {
  const paths = [];
  for (let f = 0; f < files; f++) {
    const folder = join(dir, `package${f % 10}`);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `models_${f}.py`);
    writeFileSync(path, generateModels(3, f * 3));
    paths.push(path);
  }
  return paths;
}
