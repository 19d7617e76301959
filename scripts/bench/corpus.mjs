// The corpus of `npm run bench:corpus`: public repositories fetched as snapshots (see mirror.mjs), and which of
// their files are model code to analyse. A repository may be split into several rows (TensorFlow-Examples holds
// TF1 and TF2 code); a row whose snapshot is not on this machine is reported as missing, never silently dropped.

const PY = (path) => path.endsWith('.py');
const JS = (path) => /\.(m?js|ts)$/.test(path) && !/\.d\.ts$/.test(path) && !/\.min\.js$/.test(path);
/** Build output, vendored packages and bundles are not anybody's model code. */
const VENDORED = /(^|\/)(node_modules|dist|build|\.yarn|\.cache|vendor|third_party)\//;

export const CORPUS = [
  { repo: 'pytorch/examples', keep: PY },
  { repo: 'karpathy/nanoGPT', keep: PY },
  { repo: 'codertimo/BERT-pytorch', keep: PY },
  { repo: 'jadore801120/attention-is-all-you-need-pytorch', keep: PY },
  { repo: 'eriklindernoren/PyTorch-GAN', keep: PY },
  { repo: 'huggingface/pytorch-openai-transformer-lm', keep: PY },
  { repo: 'keras-team/keras', label: 'keras-team/keras (examples/)', keep: (p) => p.startsWith('examples/') && PY(p) },
  { repo: 'aymericdamien/TensorFlow-Examples', label: 'TensorFlow-Examples (TF1)', keep: (p) => p.startsWith('tensorflow_v1/') && PY(p) },
  { repo: 'aymericdamien/TensorFlow-Examples', label: 'TensorFlow-Examples (TF2)', keep: (p) => !p.startsWith('tensorflow_v1/') && PY(p) },
  { repo: 'tensorflow/tfjs-examples', keep: (p) => JS(p) && !VENDORED.test(p) },
  // A benchmark of buggy Keras models and their fixes: only the fixed versions count as clean code.
  { repo: 'Wardat-ISU/DeepLocalize', label: 'DeepLocalize (fixed Keras models)', keep: (p) => /\/Correct (Model|Code)\//.test(p) && PY(p) },
];
