"""Course 1, week 4, "Deep Neural Network for Image Classification: Application", in plain
numpy: the step-by-step notebook's building blocks (initialize_parameters,
initialize_parameters_deep, linear_forward, linear_activation_forward, L_model_forward,
compute_cost, linear_backward, linear_activation_backward, L_model_backward, update_parameters)
and the application's two_layer_model, L_layer_model and predict, written from the course's
formulas and run with the notebook's settings (2500 iterations at learning rate 0.0075;
two-layer [12288, 7, 1], deep [12288, 20, 7, 5, 1]). The numpy side of `cargo xtask bench`;
crates/hw3-deep is the Rust one.
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


def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims):
    np.random.seed(1)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(
            layer_dims[l - 1]
        )
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


def two_layer_model(X, Y, layers_dims, learning_rate, num_iterations, console):
    np.random.seed(1)
    costs = []
    (n_x, n_h, n_y) = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
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
            console.detail("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
    return parameters, costs


def L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, console):
    np.random.seed(1)
    costs = []
    parameters = initialize_parameters_deep(layers_dims)
    for i in range(0, num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
            console.detail("Cost after iteration %i: %f" % (i, cost))
    return parameters, costs


def predict(X, y, parameters):
    m = X.shape[1]
    probas, caches = L_model_forward(X, parameters)
    p = (probas > 0.5).astype(float)
    return float(np.sum((p == y) / m))


def main():
    def extra(parser):
        parser.add_argument("--model", choices=["two-layer", "deep"], default="deep")
        parser.add_argument("--iterations", type=int, default=2500)
        parser.add_argument("--learning-rate", type=float, default=0.0075)
        parser.add_argument(
            "--hidden", type=int, default=None, help="width of the first hidden layer"
        )
        parser.add_argument(
            "--tile", type=int, default=1, help="repeat the training pictures this many times"
        )

    args = parse_args(__doc__, extra)
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
    if args.model == "two-layer":
        layers_dims = (n_x, args.hidden or 7, 1)
        parameters, costs = two_layer_model(
            train_x, train_y, layers_dims, args.learning_rate, args.iterations, console
        )
    else:
        layers_dims = [n_x, args.hidden or 20, 7, 5, 1]
        parameters, costs = L_layer_model(
            train_x, train_y, layers_dims, args.learning_rate, args.iterations, console
        )
    train_accuracy = predict(train_x, train_y, parameters)
    test_accuracy = predict(test_x, test_y, parameters)
    console.result("Train accuracy: {}".format(train_accuracy))
    console.result("Test accuracy: {}".format(test_accuracy))
    console.emit_json(
        {
            "model": args.model,
            "layers": list(layers_dims),
            "num_iterations": args.iterations,
            "learning_rate": args.learning_rate,
            "costs": costs,
            "train_accuracy": train_accuracy * 100,
            "test_accuracy": test_accuracy * 100,
        }
    )


if __name__ == "__main__":
    main()
