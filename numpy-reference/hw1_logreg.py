"""Course 1, week 2, "Logistic Regression with a Neural Network mindset", in plain numpy:
the notebook's graded functions (sigmoid, initialize_with_zeros, propagate, optimize, predict,
model) written from the course's formulas, run with the course's settings (2000 iterations at
learning rate 0.005). The numpy side of `cargo xtask bench`; crates/hw1-logreg is the Rust one.

It also prints the goldens crates/hw1-logreg's tests cite: --unit-cases (the notebook's test
cells of sections 4.3 and 4.4, every float in full), --compare-learning-rates (section 6: 1500
iterations at 0.01, 0.001 and 0.0001) and --index N (the probability behind the prediction for
test picture N, the notebook's `index`).
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


def model(
    X_train, Y_train, X_test, Y_test, num_iterations, learning_rate, console, print_cost=True
):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(
        w, b, X_train, Y_train, num_iterations, learning_rate, print_cost, console
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
        "w": w,
        "b": float(b),
        "Y_prediction_test": Y_prediction_test,
        "train_accuracy": float(train_accuracy),
        "test_accuracy": float(test_accuracy),
    }


def full(values):
    """Every float of an array in full (repr: the shortest text that reads back the same
    float64), where numpy's print shows eight decimals."""
    return "[" + ", ".join(repr(float(v)) for v in np.ravel(values)) + "]"


def unit_cases(console):
    """The notebook's test cells on hand-made inputs, every float in full."""
    w, b = np.array([[1.0], [2.0]]), 2.0
    X, Y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1, 0]])
    console.result("propagate(w=[[1],[2]], b=2, X=[[1,2],[3,4]], Y=[[1,0]]) (section 4.3):")
    grads, cost = propagate(w, b, X, Y)
    console.result("dw = " + full(grads["dw"]))
    console.result("db = " + repr(float(grads["db"])))
    console.result("cost = " + repr(cost))

    console.result("optimize(the same, 100 iterations, learning rate 0.009) (section 4.4):")
    params, grads, costs = optimize(w, b, X, Y, 100, 0.009, False, console)
    console.result("w = " + full(params["w"]))
    console.result("b = " + repr(float(params["b"])))
    console.result("dw = " + full(grads["dw"]))
    console.result("db = " + repr(float(grads["db"])))
    console.result("costs = " + full(costs))

    # The 2021 version of the notebook tests optimize on other inputs.
    w, b = np.array([[1.0], [2.0]]), 1.5
    X, Y = np.array([[1.0, -2.0, -1.0], [3.0, 0.5, -3.2]]), np.array([[1, 1, 0]])
    console.result(
        "optimize(w=[[1],[2]], b=1.5, X=[[1,-2,-1],[3,0.5,-3.2]], Y=[[1,1,0]], 100 iterations, "
        "learning rate 0.009) (section 4.4, 2021 notebook):"
    )
    params, grads, costs = optimize(w, b, X, Y, 100, 0.009, False, console)
    console.result("w = " + full(params["w"]))
    console.result("b = " + repr(float(params["b"])))
    console.result("dw = " + full(grads["dw"]))
    console.result("db = " + repr(float(grads["db"])))
    console.result("costs = " + full(costs))

    w, b = np.array([[0.1124579], [0.23106775]]), -0.3
    X = np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]])
    console.result(
        "predict(w=[[0.1124579],[0.23106775]], b=-0.3, X=[[1,-1.1,-3.2],[1.2,2,0.1]]) "
        "(section 4.4):"
    )
    console.result("predictions = " + full(predict(w, b, X)))
    console.result("A = sigmoid(w.T X + b) = " + full(sigmoid(np.dot(w.T, X) + b)))


def main():
    def extra(parser):
        parser.add_argument("--epochs", type=int, default=2000)
        parser.add_argument("--learning-rate", type=float, default=0.005)
        parser.add_argument(
            "--tile", type=int, default=1, help="repeat the training pictures this many times"
        )
        parser.add_argument(
            "--index",
            type=int,
            default=1,
            help="the test picture whose prediction is printed (the notebook's index)",
        )
        parser.add_argument(
            "--compare-learning-rates",
            action="store_true",
            help="then train 1500 iterations at 0.01, 0.001 and 0.0001 (section 6)",
        )
        parser.add_argument(
            "--unit-cases",
            action="store_true",
            help="print the notebook's test cells of sections 4.3 and 4.4 in full and stop",
        )

    args = parse_args(__doc__, extra)
    console = Console(args)
    if args.unit_cases:
        unit_cases(console)
        return
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
    # Section 5: the prediction for test picture `index`, and the probability behind it (from
    # the whole test set's A, as predict computes it).
    index = args.index
    probability = float(sigmoid(np.dot(d["w"].T, test_set_x) + d["b"])[0, index])
    predicted = int(d["Y_prediction_test"][0, index])
    console.result(
        'Test picture %i: y = %i, you predicted that it is a "%s" picture.'
        % (index, test_set_y[0, index], classes[predicted].decode("utf-8"))
    )
    console.result("probability of cat: %.4f (in full %r)" % (probability, probability))

    comparison = []
    if args.compare_learning_rates:
        for learning_rate in [0.01, 0.001, 0.0001]:
            console.result("learning rate is: " + str(learning_rate))
            run = model(
                train_set_x,
                train_set_y,
                test_set_x,
                test_set_y,
                1500,
                learning_rate,
                console,
                print_cost=False,
            )
            last = len(run["costs"]) - 1
            console.result("last cost (iteration %i): %f" % (last * 100, run["costs"][last]))
            console.result("-------------------------------------------------------")
            comparison.append(
                {
                    "learning_rate": learning_rate,
                    "num_iterations": 1500,
                    "costs": [[k * 100, c] for k, c in enumerate(run["costs"])],
                    "train_accuracy": run["train_accuracy"],
                    "test_accuracy": run["test_accuracy"],
                }
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
            "learning_rate_comparison": comparison,
            "test_picture": {"index": index, "prediction": predicted, "probability": probability},
        }
    )


if __name__ == "__main__":
    main()
