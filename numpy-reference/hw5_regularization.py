"""Course 2, week 1, "Regularization", in plain numpy: the notebook's data (reg_utils.load_2D_dataset:
the French football positions of datasets/data.mat, read with scipy.io.loadmat), its three-layer
model [2, 20, 3, 1] (ReLU, ReLU, sigmoid) with reg_utils' initialize_parameters (seed 3,
randn / sqrt(n[l-1])), forward_propagation, compute_cost, backward_propagation,
update_parameters and predict, and the notebook's three runs: no regularisation, L2
(lambd = 0.7) and dropout (keep_prob = 0.86), 30000 iterations at 0.3. The numpy side of
`cargo xtask bench`; crates/hw5-regularization is the Rust one.

The notebook's forward_propagation_with_dropout calls np.random.seed(1) at every call, so every
iteration draws the same masks; `--dropout-masks fresh` seeds once, before training, and draws
new masks at every iteration, as dropout is meant to.
"""

import os

import numpy as np

from common import Console, parse_args

DATA_FILE = "regularization_football.mat"


def load_2D_dataset(data_dir):
    import scipy.io

    data = scipy.io.loadmat(os.path.join(data_dir, DATA_FILE))
    train_X = data["X"].T
    train_Y = data["y"].T
    test_X = data["Xval"].T
    test_Y = data["yval"].T
    return train_X, train_Y, test_X, test_Y


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


def initialize_parameters(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def forward_propagation(X, parameters):
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation(X, Y, cache):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW3": dW3, "db3": db3, "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1}


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for k in range(L):
        parameters["W" + str(k + 1)] = parameters["W" + str(k + 1)] - learning_rate * grads["dW" + str(k + 1)]
        parameters["b" + str(k + 1)] = parameters["b" + str(k + 1)] - learning_rate * grads["db" + str(k + 1)]
    return parameters


def compute_cost(a3, Y):
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1. / m * np.nansum(logprobs)


def predict(X, y, parameters):
    a3, _ = forward_propagation(X, parameters)
    p = (a3 > 0.5).astype(int)
    return p, np.mean(p[0, :] == y[0, :])


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    cross_entropy_cost = compute_cost(A3, Y)
    L2_regularization_cost = lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    return cross_entropy_cost + L2_regularization_cost


def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd / m) * W3
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + (lambd / m) * W2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + (lambd / m) * W1
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW3": dW3, "db3": db3, "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1}


def forward_propagation_with_dropout(X, parameters, keep_prob, reseed=True):
    if reseed:
        np.random.seed(1)
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    D1 = np.random.rand(A1.shape[0], A1.shape[1])
    D1 = (D1 < keep_prob).astype(int)
    A1 = A1 * D1
    A1 = A1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = np.random.rand(A2.shape[0], A2.shape[1])
    D2 = (D2 < keep_prob).astype(int)
    A2 = A2 * D2
    A2 = A2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dA2 = dA2 * D2
    dA2 = dA2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dA1 = dA1 * D1
    dA1 = dA1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW3": dW3, "db3": db3, "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1}


def model(X, Y, learning_rate, num_iterations, lambd, keep_prob, fresh_masks, console):
    costs = []
    parameters = initialize_parameters([X.shape[0], 20, 3, 1])
    if fresh_masks:
        np.random.seed(1)
    for i in range(num_iterations):
        if keep_prob == 1:
            a3, cache = forward_propagation(X, parameters)
        else:
            a3, cache = forward_propagation_with_dropout(X, parameters, keep_prob, not fresh_masks)
        if lambd == 0:
            cost = compute_cost(a3, Y)
        else:
            cost = compute_cost_with_regularization(a3, Y, parameters, lambd)
        if lambd == 0 and keep_prob == 1:
            grads = backward_propagation(X, Y, cache)
        elif lambd != 0:
            grads = backward_propagation_with_regularization(X, Y, cache, lambd)
        else:
            grads = backward_propagation_with_dropout(X, Y, cache, keep_prob)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 10000 == 0:
            console.detail("Cost after iteration {}: {}".format(i, cost))
        if i % 1000 == 0:
            costs.append([i, float(cost)])
    return parameters, costs


def main():
    def extra(parser):
        parser.add_argument("--reg", choices=["none", "l2", "dropout"], default="none")
        parser.add_argument("--lambd", type=float, default=0.7)
        parser.add_argument("--keep-prob", type=float, default=0.86)
        parser.add_argument("--dropout-masks", choices=["notebook", "fresh"], default="notebook")
        parser.add_argument("--iterations", type=int, default=30000)
        parser.add_argument("--learning-rate", type=float, default=0.3)
        parser.add_argument("--every-cost", action="store_true",
                            help="print every recorded cost (every 1000 iterations) with all digits")

    args = parse_args(__doc__.splitlines()[0], extra)
    console = Console(args)
    train_X, train_Y, test_X, test_Y = load_2D_dataset(args.data_dir)
    lambd = args.lambd if args.reg == "l2" else 0
    keep_prob = args.keep_prob if args.reg == "dropout" else 1
    parameters, costs = model(train_X, train_Y, args.learning_rate, args.iterations, lambd,
                              keep_prob, args.dropout_masks == "fresh", console)
    if args.every_cost:
        for i, c in costs:
            console.result("%d %r" % (i, c))
    _, train = predict(train_X, train_Y, parameters)
    _, test = predict(test_X, test_Y, parameters)
    console.result("On the training set: Accuracy: " + str(train))
    console.result("On the test set: Accuracy: " + str(test))
    console.emit_json({"assignment": "hw5-regularization", "reg": args.reg, "costs": costs,
                       "train_accuracy": 100 * train, "test_accuracy": 100 * test})


if __name__ == "__main__":
    main()
