// Warnings on the corpus's clean code that a person read and judged to be true bugs in that public code, so the
// benchmark does not count them as false warnings. Each entry names the file, the finding's code, a piece of the
// source line it is reported on (robust to the line moving) and why it is true. Keep this list short and honest:
// a warning belongs here only when the code really has the bug.

export const JUDGED_TRUE = [
  // { repo: 'owner/name', path: 'dir/file.py', code: 'MT003', line: 'with torch.no_grad():', reason: '…' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/3_NeuralNetworks/convolutional_network.py', code: 'MA001', line: 'fc1 = tf.layers.dense(fc1, 1024)', reason: 'the fully connected layer has no activation, so it composes with the output layer (dropout between them is linear)' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/3_NeuralNetworks/dcgan.py', code: 'MA001', line: 'x = tf.layers.conv2d_transpose(x, 64, 4, strides=2)', reason: "the generator's two transposed convolutions have no activation between them" },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/3_NeuralNetworks/multilayer_perceptron.py', code: 'MA001', line: "layer_1 = tf.add(tf.matmul(x, weights['h1']), biases['b1'])", reason: "the 'multilayer perceptron' has no activation at all: tf.add(tf.matmul(...)) three times" },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/3_NeuralNetworks/multilayer_perceptron.py', code: 'MA001', line: "layer_2 = tf.add(tf.matmul(layer_1, weights['h2']), biases['b2'])", reason: 'as above, second hidden layer without activation' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/3_NeuralNetworks/neural_network.py', code: 'MA001', line: 'layer_1 = tf.layers.dense(x, n_hidden_1)', reason: 'tf.layers.dense without activation= in both hidden layers' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/3_NeuralNetworks/neural_network.py', code: 'MA001', line: 'layer_2 = tf.layers.dense(layer_1, n_hidden_2)', reason: 'as above' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/3_NeuralNetworks/neural_network_raw.py', code: 'MA001', line: "layer_1 = tf.add(tf.matmul(x, weights['h1']), biases['b1'])", reason: 'no activation between the matmuls' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/3_NeuralNetworks/neural_network_raw.py', code: 'MA001', line: "layer_2 = tf.add(tf.matmul(layer_1, weights['h2']), biases['b2'])", reason: 'as above' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/6_MultiGPU/multigpu_cnn.py', code: 'MA001', line: 'x = tf.layers.dense(x, 2048)', reason: 'the two fully connected layers have no activation (only dropout between them)' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'tensorflow_v1/examples/6_MultiGPU/multigpu_cnn.py', code: 'MA001', line: 'x = tf.layers.dense(x, 1024)', reason: 'as above' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/3_NeuralNetworks/convolutional_network.py', code: 'MA001', line: 'fc1 = tf.layers.dense(fc1, 1024)', reason: 'the fully connected layer has no activation, so it composes with the output layer (dropout between them is linear)' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/3_NeuralNetworks/dcgan.py', code: 'MA001', line: 'x = tf.layers.conv2d_transpose(x, 64, 4, strides=2)', reason: "the generator's two transposed convolutions have no activation between them" },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/3_NeuralNetworks/multilayer_perceptron.py', code: 'MA001', line: "layer_1 = tf.add(tf.matmul(x, weights['h1']), biases['b1'])", reason: "the 'multilayer perceptron' has no activation at all: tf.add(tf.matmul(...)) three times" },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/3_NeuralNetworks/multilayer_perceptron.py', code: 'MA001', line: "layer_2 = tf.add(tf.matmul(layer_1, weights['h2']), biases['b2'])", reason: 'as above, second hidden layer without activation' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/3_NeuralNetworks/neural_network.py', code: 'MA001', line: 'layer_1 = tf.layers.dense(x, n_hidden_1)', reason: 'tf.layers.dense without activation= in both hidden layers' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/3_NeuralNetworks/neural_network.py', code: 'MA001', line: 'layer_2 = tf.layers.dense(layer_1, n_hidden_2)', reason: 'as above' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/3_NeuralNetworks/neural_network_raw.py', code: 'MA001', line: "layer_1 = tf.add(tf.matmul(x, weights['h1']), biases['b1'])", reason: 'no activation between the matmuls' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/3_NeuralNetworks/neural_network_raw.py', code: 'MA001', line: "layer_2 = tf.add(tf.matmul(layer_1, weights['h2']), biases['b2'])", reason: 'as above' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/6_MultiGPU/multigpu_cnn.py', code: 'MA001', line: 'x = tf.layers.dense(x, 2048)', reason: 'the two fully connected layers have no activation (only dropout between them)' },
  { repo: 'aymericdamien/TensorFlow-Examples', path: 'examples/6_MultiGPU/multigpu_cnn.py', code: 'MA001', line: 'x = tf.layers.dense(x, 1024)', reason: 'as above' },
  { repo: 'keras-team/keras', path: 'examples/demo_custom_layer_backend_agnostic.py', code: 'MA001', line: 'return ops.matmul(inputs, self.w) + self.b', reason: 'the demo model has no activation anywhere: two MyDense branches, concat, dropout and a third MyDense are one linear map' },
  { repo: 'keras-team/keras', path: 'examples/demo_custom_torch_workflow.py', code: 'MT001', line: 'dataset, batch_size=batch_size, shuffle=False', reason: 'the training DataLoader is built with shuffle=False' },
  { repo: 'Wardat-ISU/DeepLocalize', path: 'Benchmark/GitHub/Correct Model/Averaging_Neural_Networks/keras_net.py', code: 'MA001', line: 'model.add(Dense(2, input_dim=training_input.shape[1]))', reason: 'Dense(2) without activation straight into Dense(2, relu): the first layer composes with the second' },
  { repo: 'Wardat-ISU/DeepLocalize', path: 'Benchmark/GitHub/Correct Model/FacialKeypointsDetection/src/1_single_hidden_layer.py', code: 'MA001', line: 'model.add(Dense(100))', reason: 'three Dense layers without any activation (the benchmark fixed another bug in this file)' },
  { repo: 'Wardat-ISU/DeepLocalize', path: 'Benchmark/GitHub/Correct Model/FacialKeypointsDetection/src/2_convolution_layer_solution.py', code: 'MA001', line: 'model.add(Dense(500))', reason: 'Dense(500), Dense(500), Dense(30) with no activation between them' },
  { repo: 'Wardat-ISU/DeepLocalize', path: 'Benchmark/GitHub/Correct Model/FacialKeypointsDetection/src/3_convolution_optimized.py', code: 'MA001', line: 'model.add(Dense(500))', reason: 'as in 2_convolution_layer_solution.py' },
  { repo: 'Wardat-ISU/DeepLocalize', path: 'Benchmark/StackOverflow/55328966/Correct Code/55328966.py', code: 'MA001', line: 'model.add(layers.Dense(784, input_shape=(784,)))', reason: 'a Dense(784) without activation feeds the next Dense directly' },
  { repo: 'pytorch/examples', path: 'distributed/tensor_parallelism/fsdp_tp_example.py', code: 'MT002', line: 'optimizer.step()', reason: 'no zero_grad() anywhere in the loop: backward() accumulates into .grad across the 10 iterations, so each step applies the sum of all gradients so far' },
  { repo: 'pytorch/examples', path: 'distributed/tensor_parallelism/tensor_parallel_example.py', code: 'MT002', line: 'optimizer.step()', reason: 'no zero_grad() anywhere in the loop: backward() accumulates into .grad across the 10 iterations, so each step applies the sum of all gradients so far' },
  { repo: 'pytorch/examples', path: 'distributed/tensor_parallelism/sequence_parallel_example.py', code: 'MT002', line: 'optimizer.step()', reason: 'no zero_grad() anywhere in the loop: backward() accumulates into .grad across the 10 iterations, so each step applies the sum of all gradients so far' },
];

/** The judged-true entry a warning matches, if any. */
export function judgedTrue(repo, path, code, sourceLine) {
  return JUDGED_TRUE.find((j) => j.repo === repo && j.path === path && j.code === code && sourceLine.includes(j.line));
}
