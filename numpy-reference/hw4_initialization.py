"""Course 2, week 1, "Initialization", in plain numpy: the notebook's data (init_utils.load_dataset:
sklearn's make_circles after np.random.seed(1) and np.random.seed(2)), its three-layer model
[2, 10, 5, 1] (ReLU, ReLU, sigmoid) with init_utils' forward_propagation, compute_loss,
backward_propagation, update_parameters and predict, and the notebook's three initialisations
(zeros; "random": seed 3, randn * 10; He: seed 3, randn * sqrt(2 / n[l-1])), 15000 iterations
at 0.01. The numpy side of `cargo xtask bench`; crates/hw4-initialization is the Rust one.

make_circles is written here from scikit-learn's algorithm on numpy's legacy generator (the
generator the notebook's `np.random.seed` sets), so sklearn is not needed; `--check-sklearn`
compares it with sklearn's own when sklearn is installed. `--data` prints the first points
with every digit (the goldens of linalg_nn::data::circles' tests).
"""

import numpy as np

from common import Console, parse_args


def make_circles(n_samples, noise, factor=0.8):
    """sklearn.datasets.make_circles(n_samples, noise=noise, factor=factor) with the global
    legacy generator: the circles, shuffled with RandomState.shuffle, then normal noise."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack(
        [
            np.append(np.cos(t_out), np.cos(t_in) * factor),
            np.append(np.sin(t_out), np.sin(t_in) * factor),
        ]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    indices = np.arange(n_samples)
    np.random.shuffle(indices)
    X, y = X[indices], y[indices]
    X += np.random.normal(scale=noise, size=X.shape)
    return X, y


def load_dataset(generator=make_circles):
    np.random.seed(1)
    train_X, train_Y = generator(n_samples=300, noise=0.05)
    np.random.seed(2)
    test_X, test_Y = generator(n_samples=100, noise=0.05)
    train_X = train_X.T
    train_Y = train_Y.reshape((1, train_Y.shape[0]))
    test_X = test_X.T
    test_Y = test_Y.reshape((1, test_Y.shape[0]))
    return train_X, train_Y, test_X, test_Y


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


def forward_propagation(X, parameters):
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    z1 = np.dot(W1, X) + b1
    a1 = relu(z1)
    z2 = np.dot(W2, a1) + b2
    a2 = relu(z2)
    z3 = np.dot(W3, a2) + b3
    a3 = sigmoid(z3)
    cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)
    return a3, cache


def backward_propagation(X, Y, cache):
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    dz3 = 1.0 / m * (a3 - Y)
    dW3 = np.dot(dz3, a2.T)
    db3 = np.sum(dz3, axis=1, keepdims=True)
    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))
    dW2 = np.dot(dz2, a1.T)
    db2 = np.sum(dz2, axis=1, keepdims=True)
    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    dW1 = np.dot(dz1, X.T)
    db1 = np.sum(dz1, axis=1, keepdims=True)
    return {"dz3": dz3, "dW3": dW3, "db3": db3, "da2": da2, "dz2": dz2, "dW2": dW2,
            "db2": db2, "da1": da1, "dz1": dz1, "dW1": dW1, "db1": db1}


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for k in range(L):
        parameters["W" + str(k + 1)] = parameters["W" + str(k + 1)] - learning_rate * grads["dW" + str(k + 1)]
        parameters["b" + str(k + 1)] = parameters["b" + str(k + 1)] - learning_rate * grads["db" + str(k + 1)]
    return parameters


def compute_loss(a3, Y):
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def predict(X, y, parameters):
    a3, _ = forward_propagation(X, parameters)
    p = (a3 > 0.5).astype(int)
    return p, np.mean(p[0, :] == y[0, :])


def initialize_parameters(layers_dims, how):
    parameters = {}
    L = len(layers_dims)
    if how != "zeros":
        np.random.seed(3)
    for l in range(1, L):
        shape = (layers_dims[l], layers_dims[l - 1])
        if how == "zeros":
            parameters["W" + str(l)] = np.zeros(shape)
        elif how == "random":
            parameters["W" + str(l)] = np.random.randn(*shape) * 10
        else:
            parameters["W" + str(l)] = np.random.randn(*shape) * np.sqrt(2.0 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def model(X, Y, how, learning_rate, num_iterations, console):
    costs = []
    parameters = initialize_parameters([X.shape[0], 10, 5, 1], how)
    for i in range(num_iterations):
        a3, cache = forward_propagation(X, parameters)
        cost = compute_loss(a3, Y)
        grads = backward_propagation(X, Y, cache)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 1000 == 0:
            console.detail("Cost after iteration {}: {}".format(i, cost))
            costs.append([i, float(cost)])
    return parameters, costs


def main():
    def extra(parser):
        parser.add_argument("--init", choices=["zeros", "random", "he"], default="he")
        parser.add_argument("--iterations", type=int, default=15000)
        parser.add_argument("--learning-rate", type=float, default=0.01)
        parser.add_argument("--data", action="store_true", help="print the data's first points")
        parser.add_argument("--check-sklearn", action="store_true",
                            help="compare make_circles with sklearn's (needs scikit-learn)")

    args = parse_args(__doc__.splitlines()[0], extra)
    console = Console(args)
    train_X, train_Y, test_X, test_Y = load_dataset()
    if args.check_sklearn:
        import sklearn.datasets
        theirs = load_dataset(sklearn.datasets.make_circles)
        same = all(np.array_equal(a, b) for a, b in zip((train_X, train_Y, test_X, test_Y), theirs))
        print("make_circles: %s sklearn %s" % ("identical to" if same else "DIFFERS from",
                                              sklearn.__version__))
        return
    if args.data:
        for name, X, Y in (("train", train_X, train_Y), ("test", test_X, test_Y)):
            for k in range(3):
                print("%s %d: %r %r %d" % (name, k, X[0, k], X[1, k], Y[0, k]))
            print("%s sums: %r %r %d" % (name, X[0].sum(), X[1].sum(), Y.sum()))
        return
    parameters, costs = model(train_X, train_Y, args.init, args.learning_rate,
                              args.iterations, console)
    _, train = predict(train_X, train_Y, parameters)
    _, test = predict(test_X, test_Y, parameters)
    console.result("On the train set: Accuracy: " + str(train))
    console.result("On the test set: Accuracy: " + str(test))
    console.emit_json({"assignment": "hw4-initialization", "init": args.init, "costs": costs,
                       "train_accuracy": 100 * train, "test_accuracy": 100 * test})


if __name__ == "__main__":
    main()
