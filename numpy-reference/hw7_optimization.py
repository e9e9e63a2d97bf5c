"""Course 2, week 2, "Optimization Methods", in plain numpy: the notebook's data
(opt_utils_v1a.load_dataset: np.random.seed(3), sklearn's make_moons(n_samples=300, noise=.2)),
its three-layer model [2, 5, 2, 1] (ReLU, ReLU, sigmoid) with opt_utils' forward_propagation,
compute_cost (the summed cross-entropy), backward_propagation and predict, He initialisation
(seed 3), random_mini_batches of 64 (seed 11, 12, ... one per epoch), and the notebook's update
rules: gradient descent, momentum (beta 0.9), Adam (0.9, 0.999, 1e-8), with or without learning
rate decay (update_lr, schedule_lr_decay; decay_rate 1). 5000 epochs. The numpy side of
`cargo xtask bench`; crates/hw7-optimization is the Rust one.

make_moons is written here from scikit-learn's algorithm on numpy's legacy generator, so sklearn
is not needed; `--check-sklearn` compares it with sklearn's own when sklearn is installed.
`--data` prints the first points with every digit (the goldens of linalg_nn::data::moons).
"""

import math

import numpy as np

from common import Console, parse_args
# opt_utils' forward_propagation, backward_propagation and predict are init_utils' (the network
# all of Course 2's helper files share).
from hw4_initialization import backward_propagation, forward_propagation, predict


def make_moons(n_samples, noise):
    """sklearn.datasets.make_moons(n_samples, noise=noise) with the global legacy generator:
    the two half circles, shuffled with RandomState.shuffle, then normal noise."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer_x = np.cos(np.linspace(0, np.pi, n_out))
    outer_y = np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    indices = np.arange(n_samples)
    np.random.shuffle(indices)
    X, y = X[indices], y[indices]
    X += np.random.normal(scale=noise, size=X.shape)
    return X, y


def load_dataset(generator=make_moons):
    np.random.seed(3)
    train_X, train_Y = generator(n_samples=300, noise=.2)
    train_X = train_X.T
    train_Y = train_Y.reshape((1, train_Y.shape[0]))
    return train_X, train_Y


def initialize_parameters(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def compute_cost(a3, Y):
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return np.sum(logprobs)


def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def initialize_velocity(parameters):
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
    return v


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        v["dW" + str(l)] = beta * v["dW" + str(l)] + (1 - beta) * grads["dW" + str(l)]
        v["db" + str(l)] = beta * v["db" + str(l)] + (1 - beta) * grads["db" + str(l)]
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v["db" + str(l)]
    return parameters, v


def initialize_adam(parameters):
    L = len(parameters) // 2
    v = {}
    s = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
        s["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        s["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected = {}
    s_corrected = {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            d = "d" + p + str(l)
            v[d] = beta1 * v[d] + (1 - beta1) * grads[d]
            v_corrected[d] = v[d] / (1 - beta1 ** t)
            s[d] = beta2 * s[d] + (1 - beta2) * np.square(grads[d])
            s_corrected[d] = s[d] / (1 - beta2 ** t)
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[d] / (np.sqrt(s_corrected[d]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected


def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (1 + decay_rate * epoch_num)


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))


def model(X, Y, layers_dims, optimizer, console, learning_rate=0.0007, mini_batch_size=64,
          beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=5000, decay=None,
          decay_rate=1):
    costs = []
    rates = []
    t = 0
    seed = 10
    m = X.shape[1]
    learning_rate0 = learning_rate
    parameters = initialize_parameters(layers_dims)
    if optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "adam":
        v, s = initialize_adam(parameters)
    for i in range(num_epochs):
        seed = seed + 1
        minibatches = random_mini_batches(X, Y, mini_batch_size, seed)
        cost_total = 0
        for minibatch_X, minibatch_Y in minibatches:
            a3, caches = forward_propagation(minibatch_X, parameters)
            cost_total += compute_cost(a3, minibatch_Y)
            grads = backward_propagation(minibatch_X, minibatch_Y, caches)
            if optimizer == "gd":
                parameters = update_parameters_with_gd(parameters, grads, learning_rate)
            elif optimizer == "momentum":
                parameters, v = update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)
            elif optimizer == "adam":
                t = t + 1
                parameters, v, s, _, _ = update_parameters_with_adam(
                    parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)
        cost_avg = cost_total / m
        if decay:
            learning_rate = decay(learning_rate0, i, decay_rate)
        if i % 1000 == 0:
            console.detail("Cost after epoch %i: %f" % (i, cost_avg))
            if decay:
                console.detail("learning rate after epoch %i: %f" % (i, learning_rate))
        if i % 100 == 0:
            costs.append([i, float(cost_avg)])
            rates.append([i, float(learning_rate)])
    return parameters, costs, rates


DECAYS = {"none": None, "update": update_lr, "schedule": schedule_lr_decay}


def main():
    def extra(parser):
        parser.add_argument("--optimizer", choices=["gd", "momentum", "adam"], default="adam")
        parser.add_argument("--decay", choices=sorted(DECAYS), default="none")
        parser.add_argument("--epochs", type=int, default=5000)
        parser.add_argument("--mini-batch-size", type=int, default=64)
        parser.add_argument("--learning-rate", type=float, default=None,
                            help="default 0.0007 without decay; with decay 0.1 (gd, momentum) "
                            "or 0.01 (adam), the notebook's runs")
        parser.add_argument("--repr", action="store_true",
                            help="print every recorded cost with all its digits")
        parser.add_argument("--data", action="store_true", help="print the data's first points")
        parser.add_argument("--check-sklearn", action="store_true",
                            help="compare make_moons with sklearn's (needs scikit-learn)")

    args = parse_args(__doc__.splitlines()[0], extra)
    console = Console(args)
    train_X, train_Y = load_dataset()
    if args.check_sklearn:
        import sklearn.datasets
        theirs = load_dataset(sklearn.datasets.make_moons)
        same = all(np.array_equal(a, b) for a, b in zip((train_X, train_Y), theirs))
        print("make_moons: %s sklearn %s" % ("identical to" if same else "DIFFERS from",
                                            sklearn.__version__))
        return
    if args.data:
        for k in range(3):
            print("train %d: %r %r %d" % (k, float(train_X[0, k]), float(train_X[1, k]), train_Y[0, k]))
        checksum = np.ascontiguousarray(train_X).view(np.uint64).sum(dtype=np.uint64)
        print("bit checksum (row-major (2, 300)): %d, labels: %s, sum %d"
              % (checksum, train_Y[0, :8].tolist(), train_Y.sum()))
        return
    learning_rate = args.learning_rate
    if learning_rate is None:
        learning_rate = 0.0007 if args.decay == "none" else (0.01 if args.optimizer == "adam" else 0.1)
    parameters, costs, rates = model(train_X, train_Y, [train_X.shape[0], 5, 2, 1], args.optimizer,
                                     console, learning_rate=learning_rate,
                                     mini_batch_size=args.mini_batch_size,
                                     num_epochs=args.epochs, decay=DECAYS[args.decay])
    if args.repr:
        for i, c in costs:
            print(i, repr(c))
    _, accuracy = predict(train_X, train_Y, parameters)
    console.result("Accuracy: " + str(accuracy))
    console.emit_json({"assignment": "hw7-optimization", "optimizer": args.optimizer,
                       "decay": args.decay, "costs": costs, "learning_rates": rates,
                       "train_accuracy": 100 * accuracy})


if __name__ == "__main__":
    main()
