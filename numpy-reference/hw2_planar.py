"""Course 1, week 3, "Planar data classification with one hidden layer", in plain numpy: the
flower data set (planar_utils.load_planar_dataset), the notebook's layer_sizes,
initialize_parameters, forward_propagation, compute_cost, backward_propagation,
update_parameters, nn_model and predict, written from the course's formulas and run as the
notebook's section 4.4 does (n_h = 4, 10000 iterations at learning rate 1.2), followed by the
logistic-regression baseline the Rust binary also trains (hw1's model, 2000 iterations at 0.5).
The numpy side of `cargo xtask bench`; crates/hw2-planar is the Rust one.
"""

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


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def layer_sizes(X, Y):
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(2)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters):
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = -np.sum(logprobs) / m
    return float(np.squeeze(cost))


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = 1 / m * np.dot(dZ2, A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = 1 / m * np.dot(dZ1, X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate):
    return {
        key: parameters[key] - learning_rate * grads["d" + key] for key in ("W1", "b1", "W2", "b2")
    }


def nn_model(X, Y, n_h, num_iterations, learning_rate, console):
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(0, num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 1000 == 0:
            costs.append(cost)
            console.detail("Cost after iteration %i: %f" % (i, cost))
    return parameters, costs


def predict(parameters, X):
    A2, cache = forward_propagation(X, parameters)
    return A2 > 0.5


def logistic_regression(X, Y, num_iterations, learning_rate):
    """The baseline of section 3, as the Rust binary computes it: week 2's model (zeros, then
    gradient descent on the cross-entropy), trained and evaluated on the points."""
    w = np.zeros((X.shape[0], 1))
    b = 0.0
    m = X.shape[1]
    for i in range(num_iterations):
        A = sigmoid(np.dot(w.T, X) + b)
        dw = 1 / m * np.dot(X, (A - Y).T)
        db = 1 / m * np.sum(A - Y)
        w = w - learning_rate * dw
        b = b - learning_rate * db
    Y_prediction = (sigmoid(np.dot(w.T, X) + b) > 0.5).astype(float)
    return float(100 - np.mean(np.abs(Y_prediction - Y)) * 100)


def main():
    def extra(parser):
        parser.add_argument("--epochs", type=int, default=10000)
        parser.add_argument("--learning-rate", type=float, default=1.2)
        parser.add_argument("--hidden", type=int, default=4)

    args = parse_args(__doc__, extra)
    console = Console(args)
    X, Y = load_planar_dataset()
    parameters, costs = nn_model(X, Y, args.hidden, args.epochs, args.learning_rate, console)
    predictions = predict(parameters, X)
    # The notebook's float(...) of a (1, 1) array; numpy 2 wants the element taken out.
    accuracy = float(
        np.squeeze(
            (np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) / float(Y.size) * 100
        )
    )
    console.result("Accuracy: {} %".format(accuracy))
    baseline = logistic_regression(X, Y, 2000, 0.5)
    console.result("Accuracy of logistic regression: {} %".format(baseline))
    console.emit_json(
        {
            "preset": "course",
            "hidden_units": args.hidden,
            "num_iterations": args.epochs,
            "learning_rate": args.learning_rate,
            "costs": costs,
            "accuracy": accuracy,
            "baseline": {"accuracy": baseline},
        }
    )


if __name__ == "__main__":
    main()
