"""Course 1, week 2, "Logistic Regression with a Neural Network mindset", in plain numpy:
the notebook's graded functions (sigmoid, initialize_with_zeros, propagate, optimize, predict,
model) written from the course's formulas, run with the course's settings (2000 iterations at
learning rate 0.005). The numpy side of `cargo xtask bench`; crates/hw1-logreg is the Rust one.
"""

import numpy as np

from common import Console, load_dataset, parse_args


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.0
    return w, b


def propagate(w, b, X, Y):
    m = X.shape[1]
    # FORWARD PROPAGATION (from X to cost)
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    # BACKWARD PROPAGATION (to find grad)
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    cost = float(np.squeeze(cost))
    return {"dw": dw, "db": db}, cost


def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost, console):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                console.detail("Cost after iteration %i: %f" % (i, cost))
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    A = sigmoid(np.dot(w.T, X) + b)
    return (A > 0.5).astype(float)


def model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate, console):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(
        w, b, X_train, Y_train, num_iterations, learning_rate, True, console
    )
    w = params["w"]
    b = params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    train_accuracy = 100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100
    test_accuracy = 100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100
    console.result("train accuracy: {} %".format(train_accuracy))
    console.result("test accuracy: {} %".format(test_accuracy))
    return {
        "costs": costs,
        "train_accuracy": float(train_accuracy),
        "test_accuracy": float(test_accuracy),
        "b": float(b),
    }


def main():
    def extra(parser):
        parser.add_argument("--epochs", type=int, default=2000)
        parser.add_argument("--learning-rate", type=float, default=0.005)
        parser.add_argument(
            "--tile", type=int, default=1, help="repeat the training pictures this many times"
        )

    args = parse_args(__doc__, extra)
    console = Console(args)
    train_set_x_orig, train_set_y, test_set_x_orig, test_set_y, classes = load_dataset(
        args.data_dir
    )
    if args.tile > 1:
        train_set_x_orig = np.concatenate([train_set_x_orig] * args.tile)
        train_set_y = np.concatenate([train_set_y] * args.tile, axis=1)
    train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T
    test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T
    train_set_x = train_set_x_flatten / 255.0
    test_set_x = test_set_x_flatten / 255.0
    d = model(
        train_set_x,
        train_set_y,
        test_set_x,
        test_set_y,
        args.epochs,
        args.learning_rate,
        console,
    )
    costs = [[k * 100, c] for k, c in enumerate(d["costs"])]
    console.emit_json(
        {
            "assignment": "hw1-logreg",
            "num_iterations": args.epochs,
            "learning_rate": args.learning_rate,
            "costs": costs,
            "train_accuracy": d["train_accuracy"],
            "test_accuracy": d["test_accuracy"],
            "b": d["b"],
        }
    )


if __name__ == "__main__":
    main()
