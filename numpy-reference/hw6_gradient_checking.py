"""Course 2, week 1, "Gradient Checking", in plain numpy: the 1-D check of J(theta) = theta x
(x = 3, theta = 4; the older notebook's x = 2), then the N-D check of the notebook's 4-5-3-1
network (testCases' gradient_check_n_test_case: np.random.seed(1), X = randn(4, 3),
Y = [1, 1, 0], then W1, b1, W2, b2, W3, b3 drawn in that order) with gc_utils'
dictionary_to_vector / vector_to_dictionary / gradients_to_vector, against the notebook's
backward_propagation_n with its two planted bugs (dW2 doubled, db1 with 4/m), with them
fixed, or with one of them (--backprop buggy|fixed|dw2|db1).
crates/hw6-gradient-checking is the Rust side.

`--digits` prints every value the Rust tests compare bit for bit (the cost, each gradapprox,
the three norms); `--norm-order` checks which summation order numpy's np.linalg.norm used on
this machine (sqrt(x.dot(x)), OpenBLAS's ddot: see linalg_nn::numpy::norm).
"""

from fractions import Fraction

import numpy as np

from common import Console, parse_args

THRESHOLD = 2e-7


def forward_propagation(x, theta):
    return theta * x


def backward_propagation(x, theta):
    return x


def gradient_check(x, theta, epsilon=1e-7):
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return numerator / denominator


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


def gradient_check_n_test_case():
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])
    W1 = np.random.randn(5, 4)
    b1 = np.random.randn(5, 1)
    W2 = np.random.randn(3, 5)
    b2 = np.random.randn(3, 1)
    W3 = np.random.randn(1, 3)
    b3 = np.random.randn(1, 1)
    return x, y, {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}


KEYS = ["W1", "b1", "W2", "b2", "W3", "b3"]
SHAPES = [(5, 4), (5, 1), (3, 5), (3, 1), (1, 3), (1, 1)]


def dictionary_to_vector(parameters):
    keys = []
    pieces = []
    for key in KEYS:
        v = np.reshape(parameters[key], (-1, 1))
        keys = keys + [key] * v.shape[0]
        pieces.append(v)
    return np.concatenate(pieces, axis=0), keys


def vector_to_dictionary(theta):
    parameters = {}
    start = 0
    for key, shape in zip(KEYS, SHAPES):
        size = shape[0] * shape[1]
        parameters[key] = theta[start:start + size].reshape(shape)
        start += size
    return parameters


def gradients_to_vector(gradients):
    return np.concatenate([np.reshape(gradients["d" + k], (-1, 1)) for k in KEYS], axis=0)


def forward_propagation_n(X, Y, parameters):
    m = X.shape[1]
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1. / m * np.sum(logprobs)
    return cost, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def backward_propagation_n(X, Y, cache, buggy):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) * (2 if buggy in ("both", "dw2") else 1)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = (4. if buggy in ("both", "db1") else 1.) / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        theta_plus = np.copy(parameters_values)
        theta_plus[i] += epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
        theta_minus = np.copy(parameters_values)
        theta_minus[i] -= epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return numerator / denominator, grad, gradapprox


def fma(a, b, c):
    """a * b + c rounded once (exact rational arithmetic, then one rounding)."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def ddot_skylakex(x):
    """OpenBLAS's ddot (kernel/x86_64/ddot.c with ddot_microk_skylakex-2.c) of x with itself:
    blocks of 32 into four 8-lane FMA accumulators, blocks of 16 into those folded to 4 lanes,
    then the tail x[i] * x[i] + dot fused (GCC contracts it in the AVX-512 build)."""
    n = len(x)
    n1 = n & -16
    dot = 0.0
    i = 0
    if n1:
        wide = [[0.0] * 8 for _ in range(4)]
        while i < (n1 & -32):
            for q in range(4):
                for lane in range(8):
                    k = i + 8 * q + lane
                    wide[q][lane] = fma(x[k], x[k], wide[q][lane])
            i += 32
        acc = [[wide[q][lane] + wide[q][lane + 4] for lane in range(4)] for q in range(4)]
        while i < n1:
            for q in range(4):
                for lane in range(4):
                    k = i + 4 * q + lane
                    acc[q][lane] = fma(x[k], x[k], acc[q][lane])
            i += 16
        v = [((acc[0][lane] + acc[1][lane]) + acc[2][lane]) + acc[3][lane] for lane in range(4)]
        dot = (v[0] + v[2]) + (v[1] + v[3])
    for k in range(n1, n):
        dot = fma(x[k], x[k], dot)
    return dot


def ddot_haswell(x):
    """OpenBLAS's ddot with ddot_microk_haswell-2.c: blocks of 16 into four 4-lane FMA
    accumulators, reduced pairwise, then an unfused tail dot += x[i] * x[i]."""
    n = len(x)
    n1 = n & -16
    dot = 0.0
    if n1:
        acc = [[0.0] * 4 for _ in range(4)]
        for i in range(0, n1, 16):
            for q in range(4):
                for lane in range(4):
                    k = i + 4 * q + lane
                    acc[q][lane] = fma(x[k], x[k], acc[q][lane])
        h = [[acc[q][lane] + acc[q][lane + 2] for lane in range(2)] for q in range(4)]
        a = [(h[0][lane] + h[1][lane]) + (h[2][lane] + h[3][lane]) for lane in range(2)]
        dot = a[0] + a[1]
    for k in range(n1, n):
        dot = dot + x[k] * x[k]
    return dot


def norm_order(vectors):
    """Which emulated order gives the bits of numpy's x.dot(x) (np.linalg.norm squared)."""
    for name, v in vectors:
        flat = np.ravel(v)
        theirs = float(flat.dot(flat))
        values = [float(t) for t in flat]
        found = [label for label, f in (("SkylakeX", ddot_skylakex), ("Haswell", ddot_haswell),
                                        ("left to right", lambda x: float(sum(t * t for t in x))))
                 if f(values) == theirs]
        print("%s (length %d): x.dot(x) = %r, np.linalg.norm = %r; same bits as: %s"
              % (name, len(values), theirs, float(np.linalg.norm(v)), ", ".join(found) or "none"))


def verdict(difference):
    """What the notebook prints after a check (print_msg=True)."""
    if difference > THRESHOLD:
        return "There is a mistake in the backward propagation! difference = " + str(difference)
    return "Your backward propagation works perfectly fine! difference = " + str(difference)


def main():
    def extra(parser):
        parser.add_argument("--case", choices=["1d", "nd"], default="nd")
        parser.add_argument("--x", type=float, default=3.0, help="the 1-D input (older: 2)")
        parser.add_argument("--backprop", choices=["buggy", "fixed", "dw2", "db1"],
                            default="buggy",
                            help="the notebook's two planted bugs, none, or only one of them")
        parser.add_argument("--digits", action="store_true",
                            help="print the cost, every gradapprox and the norms in full")
        parser.add_argument("--norm-order", action="store_true",
                            help="check np.linalg.norm against emulated OpenBLAS ddot orders")
        parser.add_argument("--random-norms", type=int, default=0, metavar="N",
                            help="with --norm-order: also N random vectors of length 1..100")

    args = parse_args(__doc__.splitlines()[0], extra)
    console = Console(args)
    if args.case == "1d":
        difference = gradient_check(args.x, 4.0)
        console.result(verdict(difference))
        console.emit_json({"assignment": "hw6-gradient-checking", "case": "1d", "x": args.x,
                           "difference": float(difference)})
        return
    X, Y, parameters = gradient_check_n_test_case()
    cost, cache = forward_propagation_n(X, Y, parameters)
    buggy = {"buggy": "both", "fixed": "none"}.get(args.backprop, args.backprop)
    gradients = backward_propagation_n(X, Y, cache, buggy)
    difference, grad, gradapprox = gradient_check_n(parameters, gradients, X, Y)
    console.result(verdict(difference))
    gap = np.abs(grad - gradapprox).ravel()
    worst = int(np.argmax(gap))
    _, keys = dictionary_to_vector(parameters)
    console.detail("worst: index %d (%s), grad %r, gradapprox %r"
                   % (worst, keys[worst], float(grad[worst, 0]), float(gradapprox[worst, 0])))
    if args.digits:
        print("cost %r" % float(cost))
        for i in range(grad.shape[0]):
            print("%2d %s grad %r gradapprox %r" % (i, keys[i], float(grad[i, 0]),
                                                    float(gradapprox[i, 0])))
        print("norm(grad - gradapprox) %r" % float(np.linalg.norm(grad - gradapprox)))
        print("norm(grad) %r" % float(np.linalg.norm(grad)))
        print("norm(gradapprox) %r" % float(np.linalg.norm(gradapprox)))
    if args.norm_order:
        vectors = [("grad - gradapprox", grad - gradapprox), ("grad", grad),
                   ("gradapprox", gradapprox)]
        rng = np.random.RandomState(0)
        for k in range(args.random_norms):
            n = int(rng.randint(1, 101))
            vectors.append(("random %d" % k, rng.randn(n, 1) * 10.0 ** rng.randint(-8, 3)))
        norm_order(vectors)
    console.emit_json({"assignment": "hw6-gradient-checking", "case": "nd",
                       "backprop": args.backprop, "difference": float(difference),
                       "worst_index": worst, "worst_key": keys[worst]})


if __name__ == "__main__":
    main()
