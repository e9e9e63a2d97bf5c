"""Course 1, week 3, "Planar data classification with one hidden layer", in plain numpy: the
flower data set (planar_utils.load_planar_dataset), the notebook's layer_sizes,
initialize_parameters, forward_propagation, compute_cost, backward_propagation,
update_parameters, nn_model and predict, written from the course's formulas and run as the
notebook's section 4.4 does (n_h = 4, 10000 iterations at learning rate 1.2), followed by the
logistic-regression baseline the Rust binary also trains (hw1's model, 2000 iterations at 0.5).
The numpy side of `cargo xtask bench`; crates/hw2-planar is the Rust one.

It takes the Rust binary's options, so that it prints the golden values of crates/hw2-planar's
tests: `--preset notes` (the study notes: 2000 iterations at 0.5, W2 not scaled, cost every
100), `--activation` (the hidden layer's g: tanh, sigmoid, relu, leaky-relu), `--seed`,
`--dataset` (the notebook's other data sets, made by the generators of linalg_nn::data::planar
from numpy's legacy generator seeded with `--seed`) and `--sweep 1,2,3,4,5,20,50` (section 6:
one network per size, 5000 iterations each with the course preset).
"""

import argparse

import numpy as np

from common import Console, parse_args


def load_planar_dataset():
    np.random.seed(1)
    m = 400  # number of examples
    N = int(m / 2)  # number of points per class
    D = 2  # dimensionality
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype="uint8")  # labels vector (0 for red, 1 for blue)
    a = 4  # maximum ray of the flower
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2  # theta
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2  # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def two_curves(n, noise, outer, inner, span):
    """Two labelled curves of n / 2 points each along t in [0, span), plus Gaussian noise
    (label 0 on the outer curve, 1 on the inner one)."""
    half = n // 2
    t = span * np.arange(half) / half
    X = np.concatenate([np.array(outer(t)), np.array(inner(t))], axis=1)
    Y = np.concatenate([np.zeros((1, half)), np.ones((1, half))], axis=1)
    return X + np.random.randn(2, 2 * half) * noise, Y


def load_extra_dataset(name, seed):
    """The notebook's other data sets (planar_utils.load_extra_datasets), 200 points each, made
    as linalg_nn::data::planar::PlanarDataset::generate makes them (in the manner of
    scikit-learn's make_circles, make_moons, make_blobs, make_gaussian_quantiles and of the
    notebook's "no structure", but drawing from numpy's legacy generator after
    np.random.seed(seed), which the Rust side reproduces bit for bit)."""
    np.random.seed(seed)
    N = 200
    if name == "noisy-circles":
        return two_curves(
            N,
            0.3,
            lambda t: (np.cos(t), np.sin(t)),
            lambda t: (0.5 * np.cos(t), 0.5 * np.sin(t)),
            2 * np.pi,
        )
    if name == "noisy-moons":
        return two_curves(
            N,
            0.2,
            lambda t: (np.cos(t), np.sin(t)),
            lambda t: (1 - np.cos(t), 1 - np.sin(t) - 0.5),
            np.pi,
        )
    if name == "blobs":
        # Six centres drawn in [-10, 10)^2 (x then y), point i around centre i % 6, label
        # (i % 6) % 2, each coordinate plus one standard normal draw (x then y).
        centres = [(np.random.uniform(-10, 10), np.random.uniform(-10, 10)) for _ in range(6)]
        X = np.zeros((2, N))
        Y = np.zeros((1, N))
        for i in range(N):
            c = i % len(centres)
            X[0, i] = centres[c][0] + np.random.standard_normal()
            X[1, i] = centres[c][1] + np.random.standard_normal()
            Y[0, i] = c % 2
        return X, Y
    if name == "gaussian-quantiles":
        # A Gaussian of variance 0.5; the half farther from the centre is class 1.
        X = np.random.randn(2, N) * np.sqrt(0.5)
        order = np.argsort(X[0] * X[0] + X[1] * X[1], kind="stable")
        Y = np.zeros((1, N))
        Y[0, order[N // 2 :]] = 1
        return X, Y
    if name == "no-structure":
        X = np.random.rand(2, N)
        Y = (np.random.rand(1, N) >= 0.5).astype(float)
        return X, Y
    raise ValueError(name)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def layer_sizes(X, Y):
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y, seed=2, w2_scale=0.01):
    """The notebook's, with seed 2 and W2 * 0.01; the study notes leave W2 unscaled."""
    np.random.seed(seed)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * w2_scale
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


# The hidden layer's activation g and its derivative written with Z1 and A1 = g(Z1), as the
# notes' chapter on activation functions gives them (leaky ReLU's slope 0.01).
ACTIVATIONS = {
    "tanh": (np.tanh, lambda Z, A: 1 - np.power(A, 2)),
    "sigmoid": (lambda Z: sigmoid(Z), lambda Z, A: A * (1 - A)),
    "relu": (lambda Z: np.maximum(0, Z), lambda Z, A: (Z > 0).astype(float)),
    "leaky-relu": (lambda Z: np.where(Z > 0, Z, 0.01 * Z), lambda Z, A: np.where(Z > 0, 1, 0.01)),
}


def forward_propagation(X, parameters, activation="tanh"):
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    Z1 = np.dot(W1, X) + b1
    A1 = ACTIVATIONS[activation][0](Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = -np.sum(logprobs) / m
    return float(np.squeeze(cost))


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = 1 / m * np.dot(dZ2, A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * ACTIVATIONS[activation][1](cache["Z1"], A1)
    dW1 = 1 / m * np.dot(dZ1, X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate):
    return {
        key: parameters[key] - learning_rate * grads["d" + key] for key in ("W1", "b1", "W2", "b2")
    }


# The Rust binary's --preset: the notebook's section 4.4 and the study notes' setting (the
# sweep's iterations per network: section 6's 5000 for the course, the preset's own for the notes).
PRESETS = {
    "course": {
        "epochs": 10000,
        "learning_rate": 1.2,
        "w2_scale": 0.01,
        "cost_every": 1000,
        "sweep_epochs": 5000,
    },
    "notes": {
        "epochs": 2000,
        "learning_rate": 0.5,
        "w2_scale": 1.0,
        "cost_every": 100,
        "sweep_epochs": 2000,
    },
}


def nn_model(
    X, Y, n_h, num_iterations, learning_rate, console, preset=None, activation="tanh", seed=2
):
    preset = preset or PRESETS["course"]
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y, seed, preset["w2_scale"])
    costs = []
    for i in range(0, num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % preset["cost_every"] == 0:
            costs.append(cost)
            console.detail("Cost after iteration %i: %f" % (i, cost))
    return parameters, costs


def predict(parameters, X, activation="tanh"):
    A2, cache = forward_propagation(X, parameters, activation)
    return A2 > 0.5


def accuracy(parameters, X, Y, activation="tanh"):
    predictions = predict(parameters, X, activation)
    # The notebook's float(...) of a (1, 1) array; numpy 2 wants the element taken out.
    return float(
        np.squeeze(
            (np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) / float(Y.size) * 100
        )
    )


def logistic_regression(X, Y, num_iterations, learning_rate):
    """The baseline of section 3, as the Rust binary computes it: week 2's model (zeros, then
    gradient descent on the cross-entropy, the cost recorded every 100 iterations), trained and
    evaluated on the points. Returns the accuracy, w, b and the last recorded cost."""
    w = np.zeros((X.shape[0], 1))
    b = 0.0
    m = X.shape[1]
    cost = None
    for i in range(num_iterations):
        A = sigmoid(np.dot(w.T, X) + b)
        if i % 100 == 0:
            cost = float(-1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
        dw = 1 / m * np.dot(X, (A - Y).T)
        db = 1 / m * np.sum(A - Y)
        w = w - learning_rate * dw
        b = b - learning_rate * db
    Y_prediction = (sigmoid(np.dot(w.T, X) + b) > 0.5).astype(float)
    return float(100 - np.mean(np.abs(Y_prediction - Y)) * 100), w, float(b), cost


def main():
    def extra(parser):
        parser.add_argument("--preset", choices=sorted(PRESETS), default="course")
        parser.add_argument("--epochs", type=int, help="default: the preset's (10000 or 2000)")
        parser.add_argument("--learning-rate", type=float, help="default: the preset's (1.2, 0.5)")
        parser.add_argument("--hidden", type=int, default=4)
        parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="tanh")
        parser.add_argument("--seed", type=int, default=2, help="of W1, W2 and the extra data sets")
        parser.add_argument(
            "--dataset",
            choices=[
                "flower",
                "noisy-circles",
                "noisy-moons",
                "blobs",
                "gaussian-quantiles",
                "no-structure",
            ],
            default="flower",
        )
        parser.add_argument(
            "--sweep",
            type=lambda s: [int(n) for n in s.split(",")],
            help="hidden layer sizes, e.g. 1,2,3,4,5,20,50 (section 6: 5000 iterations each with "
            "the course preset, or --epochs)",
        )

    args = parse_args(__doc__, extra)
    console = Console(args)
    preset = PRESETS[args.preset]
    epochs = preset["epochs"] if args.epochs is None else args.epochs
    learning_rate = preset["learning_rate"] if args.learning_rate is None else args.learning_rate
    if args.dataset == "flower":
        X, Y = load_planar_dataset()
    else:
        X, Y = load_extra_dataset(args.dataset, args.seed)
    parameters, costs = nn_model(
        X, Y, args.hidden, epochs, learning_rate, console, preset, args.activation, args.seed
    )
    train_accuracy = accuracy(parameters, X, Y, args.activation)
    console.result("Accuracy: {} %".format(train_accuracy))
    baseline, w, b, baseline_cost = logistic_regression(X, Y, 2000, 0.5)
    console.result("Accuracy of logistic regression: {} %".format(baseline))
    console.detail(
        "Logistic regression: w = {}, b = {!r}, cost after iteration 1900: {!r}".format(
            w.ravel().tolist(), b, baseline_cost
        )
    )
    report = {
        "preset": args.preset,
        "dataset": args.dataset,
        "seed": args.seed,
        "hidden_units": args.hidden,
        "activation": args.activation,
        "num_iterations": epochs,
        "learning_rate": learning_rate,
        "costs": costs,
        "accuracy": train_accuracy,
        "baseline": {"accuracy": baseline, "w": w.ravel().tolist(), "b": b, "cost": baseline_cost},
    }
    if args.sweep:
        # Section 6, "Tuning hidden layer size": one network per size, as the notebook's loop.
        sweep_epochs = preset["sweep_epochs"] if args.epochs is None else args.epochs
        report["sweep"] = []
        for n_h in args.sweep:
            quiet = Console(argparse.Namespace(quiet=True, json=args.json))
            parameters, _ = nn_model(
                X, Y, n_h, sweep_epochs, learning_rate, quiet, preset, args.activation, args.seed
            )
            sweep_accuracy = accuracy(parameters, X, Y, args.activation)
            console.result("Accuracy for {} hidden units: {} %".format(n_h, sweep_accuracy))
            report["sweep"].append({"hidden_units": n_h, "accuracy": sweep_accuracy})
    console.emit_json(report)


if __name__ == "__main__":
    main()
