"""Course 1, week 4, "Deep Neural Network for Image Classification: Application", in plain
numpy: the step-by-step notebook's building blocks (initialize_parameters,
initialize_parameters_deep, linear_forward, linear_activation_forward, L_model_forward,
compute_cost, linear_backward, linear_activation_backward, L_model_backward, update_parameters)
and the application's two_layer_model, L_layer_model and predict, written from the course's
formulas and run with the notebook's settings (2500 iterations at learning rate 0.0075;
two-layer [12288, 7, 1], deep [12288, 20, 7, 5, 1]). The numpy side of `cargo xtask bench`;
crates/hw3-deep is the Rust one.

The options of `hw3-deep` that change the numbers are here too, so that this script prints the
goldens of its tests: `--preset notes` (the study notes' run, hw3-deep's default: 3000
iterations, W = randn / sqrt(n_prev) for both models; the default here stays `course`, the
notebook's run, which `cargo xtask bench` times), `--layers`, `--seed`, `--iterations` and
`--learning-rate`, and `--test-picture K`, the probability of cat for test picture K (what
`hw3-deep --image` prints for that picture saved as a 64x64 PNG). Costs are printed as
hw3-deep prints them ("%f"), accuracies as percentages with up to 10 decimals. `--test-cases`
prints the step-by-step notebook's graded cells on its test cases instead (hw3-deep's
tests/step_by_step.rs).
"""

import numpy as np

from common import Console, load_dataset, parse_args


def sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    return A, Z


def relu(Z):
    A = np.maximum(0, Z)
    return A, Z


def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s)


def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def draw_weights(rows, cols, init):
    """randn(rows, cols) * 0.01 (init "small", the notebook's initialize_parameters) or
    randn(rows, cols) / sqrt(cols) (init "sqrt", its initialize_parameters_deep)."""
    W = np.random.randn(rows, cols)
    return W * 0.01 if init == "small" else W / np.sqrt(cols)


def initialize_parameters(n_x, n_h, n_y, init="small", seed=1):
    np.random.seed(seed)
    W1 = draw_weights(n_h, n_x, init)
    b1 = np.zeros((n_h, 1))
    W2 = draw_weights(n_y, n_h, init)
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims, init="sqrt", seed=1):
    np.random.seed(seed)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = draw_weights(layer_dims[l], layer_dims[l - 1], init)
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_forward(A, W, b):
    Z = W.dot(A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        A, activation_cache = relu(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(
            A_prev, parameters["W" + str(l)], parameters["b" + str(l)], "relu"
        )
        caches.append(cache)
    AL, cache = linear_activation_forward(
        A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid"
    )
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = (1.0 / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    return float(np.squeeze(cost))


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1.0 / m * np.dot(dZ, A_prev.T)
    db = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = (
        linear_activation_backward(dAL, current_cache, "sigmoid")
    )
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(
            grads["dA" + str(l + 1)], current_cache, "relu"
        )
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = (
            parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        )
        parameters["b" + str(l + 1)] = (
            parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
        )
    return parameters


def two_layer_model(X, Y, layers_dims, learning_rate, num_iterations, console, init, seed):
    costs = []
    (n_x, n_h, n_y) = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y, init, seed)
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    for i in range(0, num_iterations):
        A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
        if i % 100 == 0:
            costs.append(cost)
            console.detail("Cost after iteration %i: %f" % (i, cost))
    return parameters, costs


def L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, console, init, seed):
    costs = []
    parameters = initialize_parameters_deep(layers_dims, init, seed)
    for i in range(0, num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
            console.detail("Cost after iteration %i: %f" % (i, cost))
    return parameters, costs


def predict(X, parameters):
    probas, caches = L_model_forward(X, parameters)
    return (probas > 0.5).astype(float)


def accuracy_percent(p, y):
    """The accuracy in %, as hw3-deep computes it (hw1's formula, 100 - mean|p - y| * 100)."""
    return float(100 - np.mean(np.abs(p - y)) * 100)


def percent(value):
    """An accuracy as hw3-deep prints it: up to 10 decimals, trailing zeros dropped."""
    return ("%.10f" % value).rstrip("0").rstrip(".") + " %"


# The settings of hw3-deep's presets: (iterations, init of the two-layer model, of the deep one).
PRESETS = {"course": (2500, "small", "sqrt"), "notes": (3000, "sqrt", "sqrt")}


def widths(text):
    return [int(w) for w in text.split(",")]


def step_by_step_test_cases():
    """The graded cells of "Building your Deep Neural Network: Step by Step" on the inputs of
    its test cases (testCases_v4a.py: the same seeds and randn calls), printed at full
    precision (the notebook's Expected Output shows the first 8 decimals)."""

    def show(name, value):
        print("%s = %r" % (name, np.asarray(value).tolist()))

    p = initialize_parameters(3, 2, 1, "small", 1)
    for key in ("W1", "b1", "W2", "b2"):
        show("initialize_parameters(3, 2, 1): " + key, p[key])
    # The exercise's initialize_parameters_deep draws randn * 0.01 after np.random.seed(3).
    p = initialize_parameters_deep([5, 4, 3], "small", 3)
    for key in ("W1", "b1", "W2", "b2"):
        show("initialize_parameters_deep([5, 4, 3]): " + key, p[key])

    np.random.seed(1)
    A, W, b = np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1)
    show("linear_forward: Z", linear_forward(A, W, b)[0])

    np.random.seed(2)
    A_prev, W, b = np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1)
    for activation in ("sigmoid", "relu"):
        A, _ = linear_activation_forward(A_prev, W, b, activation)
        show("linear_activation_forward with %s: A" % activation, A)

    np.random.seed(6)
    X = np.random.randn(5, 4)
    parameters = {}
    for l, (rows, cols) in enumerate([(4, 5), (3, 4), (1, 3)], start=1):
        parameters["W%d" % l] = np.random.randn(rows, cols)
        parameters["b%d" % l] = np.random.randn(rows, 1)
    AL, caches = L_model_forward(X, parameters)
    show("L_model_forward: AL", AL)
    print("L_model_forward: length of caches list = %d" % len(caches))

    Y, AL = np.asarray([[1, 1, 0]]), np.array([[0.8, 0.9, 0.4]])
    print("compute_cost: cost = %r" % compute_cost(AL, Y))

    np.random.seed(1)
    dZ, A, W, b = (np.random.randn(*shape) for shape in [(3, 4), (5, 4), (3, 5), (3, 1)])
    dA_prev, dW, db = linear_backward(dZ, (A, W, b))
    show("linear_backward: dA_prev", dA_prev)
    show("linear_backward: dW", dW)
    show("linear_backward: db", db)

    np.random.seed(2)
    dA, A, W, b, Z = (np.random.randn(*shape) for shape in [(1, 2), (3, 2), (1, 3), (1, 1), (1, 2)])
    for activation in ("sigmoid", "relu"):
        dA_prev, dW, db = linear_activation_backward(dA, ((A, W, b), Z), activation)
        show("linear_activation_backward with %s: dA_prev" % activation, dA_prev)
        show("linear_activation_backward with %s: dW" % activation, dW)
        show("linear_activation_backward with %s: db" % activation, db)

    np.random.seed(3)
    AL = np.random.randn(1, 2)
    Y = np.array([[1, 0]])
    A1, W1, b1, Z1 = (np.random.randn(*shape) for shape in [(4, 2), (3, 4), (3, 1), (3, 2)])
    A2, W2, b2, Z2 = (np.random.randn(*shape) for shape in [(3, 2), (1, 3), (1, 1), (1, 2)])
    grads = L_model_backward(AL, Y, [((A1, W1, b1), Z1), ((A2, W2, b2), Z2)])
    for key in ("dW1", "db1", "dA1", "dA0", "dW2", "db2"):
        show("L_model_backward: " + key, grads[key])

    np.random.seed(2)
    parameters = {
        key: np.random.randn(*shape)
        for key, shape in [("W1", (3, 4)), ("b1", (3, 1)), ("W2", (1, 3)), ("b2", (1, 1))]
    }
    np.random.seed(3)
    grads = {
        key: np.random.randn(*shape)
        for key, shape in [("dW1", (3, 4)), ("db1", (3, 1)), ("dW2", (1, 3)), ("db2", (1, 1))]
    }
    parameters = update_parameters(parameters, grads, 0.1)
    for key in ("W1", "b1", "W2", "b2"):
        show("update_parameters: " + key, parameters[key])

    # The application's two_layer_model_test: real-valued labels Y = randn(1, 10), which the
    # models take like any others; L_layer_model on the same data (hw3-deep's tests/training.rs).
    class Quiet:
        def detail(self, line):
            pass

    np.random.seed(1)
    X, Y = np.random.randn(10, 10), np.random.randn(1, 10)
    runs = [("two_layer_model", 0.0075, 2), ("two_layer_model", 0.1, 3), ("L_layer_model", 0.0075, 2)]
    for name, rate, iterations in runs:
        if name == "two_layer_model":
            p, costs = two_layer_model(X, Y, (10, 4, 1), rate, iterations, Quiet(), "small", 1)
        else:
            p, costs = L_layer_model(X, Y, [10, 5, 6, 1], rate, iterations, Quiet(), "sqrt", 1)
        label = "%s, Y = randn, %d iterations at %r: " % (name, iterations, rate)
        print(label + "costs = %r" % costs)
        for key in sorted(p):
            show(label + key, p[key])


def main():
    def extra(parser):
        parser.add_argument("--model", choices=["two-layer", "deep"], default="deep")
        parser.add_argument(
            "--preset",
            choices=sorted(PRESETS),
            default="course",
            help="course (the default here): the notebook's run, 2500 iterations, two-layer "
            "W = randn * 0.01; notes (hw3-deep's default): 3000 iterations, W = randn / "
            "sqrt(n_prev) for both models",
        )
        parser.add_argument(
            "--layers",
            type=widths,
            default=None,
            help="any depth and widths, input first, e.g. 12288,3,1 (with --model two-layer "
            "exactly three)",
        )
        parser.add_argument(
            "--iterations",
            "--epochs",
            "--num-iterations",
            type=int,
            default=None,
            help="default: the preset's",
        )
        parser.add_argument("--learning-rate", type=float, default=0.0075)
        parser.add_argument("--seed", type=int, default=1, help="np.random.seed before the weights")
        parser.add_argument(
            "--hidden", type=int, default=None, help="width of the first hidden layer"
        )
        parser.add_argument(
            "--test-picture",
            type=int,
            default=None,
            metavar="K",
            help="print the probability of cat for test picture K (hw3-deep --image on it)",
        )
        parser.add_argument(
            "--tile", type=int, default=1, help="repeat the training pictures this many times"
        )
        parser.add_argument(
            "--test-cases",
            action="store_true",
            help="print the step-by-step notebook's graded cells on its test cases (no data "
            "needed) instead of training",
        )

    args = parse_args(__doc__, extra)
    if args.test_cases:
        step_by_step_test_cases()
        return
    console = Console(args)
    train_x_orig, train_y, test_x_orig, test_y, classes = load_dataset(args.data_dir)
    if args.tile > 1:
        train_x_orig = np.concatenate([train_x_orig] * args.tile)
        train_y = np.concatenate([train_y] * args.tile, axis=1)
    train_x_flatten = train_x_orig.reshape(train_x_orig.shape[0], -1).T
    test_x_flatten = test_x_orig.reshape(test_x_orig.shape[0], -1).T
    train_x = train_x_flatten / 255.0
    test_x = test_x_flatten / 255.0
    n_x = train_x.shape[0]
    preset_iterations, two_layer_init, deep_init = PRESETS[args.preset]
    iterations = args.iterations or preset_iterations
    if args.model == "two-layer":
        layers_dims = tuple(args.layers or (n_x, args.hidden or 7, 1))
        parameters, costs = two_layer_model(
            train_x,
            train_y,
            layers_dims,
            args.learning_rate,
            iterations,
            console,
            two_layer_init,
            args.seed,
        )
    else:
        layers_dims = args.layers or [n_x, args.hidden or 20, 7, 5, 1]
        parameters, costs = L_layer_model(
            train_x,
            train_y,
            layers_dims,
            args.learning_rate,
            iterations,
            console,
            deep_init,
            args.seed,
        )
    train_p = predict(train_x, parameters)
    test_p = predict(test_x, parameters)
    train_accuracy = accuracy_percent(train_p, train_y)
    test_accuracy = accuracy_percent(test_p, test_y)
    console.result("Train accuracy: " + percent(train_accuracy))
    console.result("Test accuracy: " + percent(test_accuracy))
    # print_mislabeled_images: the test pictures where p + y == 1.
    mislabeled = [int(i) for i in np.asarray(np.where(test_p + test_y == 1))[1]]
    console.detail("Mislabeled test pictures: {}".format(mislabeled))
    report = {
        "model": args.model,
        "preset": args.preset,
        "layers": list(layers_dims),
        "num_iterations": iterations,
        "learning_rate": args.learning_rate,
        "seed": args.seed,
        "costs": costs,
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "mislabeled_test_pictures": len(mislabeled),
    }
    if args.test_picture is not None:
        k = args.test_picture
        probability = float(L_model_forward(test_x[:, k : k + 1], parameters)[0][0, 0])
        console.result(
            "test picture %d: y = %d, probability of cat %.4f" % (k, probability > 0.5, probability)
        )
        report["test_picture"] = {"index": k, "probability": probability}
    console.emit_json(report)


if __name__ == "__main__":
    main()
