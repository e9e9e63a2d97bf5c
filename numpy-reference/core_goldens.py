"""The golden values of linalg-nn's own tests, printed by numpy: the legacy generator's draws
(linalg_nn::rng) and the flower data set (linalg_nn::data::planar), with repr() so every digit
is there, and a checksum of the flower's bits. Run: python3 numpy-reference/core_goldens.py
"""

import numpy as np

from hw2_planar import load_planar_dataset


def show(name, values):
    print(name, [repr(float(v)) for v in np.ravel(values)])


def main():
    np.random.seed(1)
    show("seed(1); randn(6):", np.random.randn(6))
    np.random.seed(2)
    show("seed(2); randn(4, 2) * 0.01 (row-major):", np.random.randn(4, 2) * 0.01)
    np.random.seed(0)
    show("seed(0); rand(1, 3):", np.random.rand(1, 3))
    np.random.seed(3)
    np.random.randn()  # leaves the second value of a pair cached
    np.random.seed(1)
    show("seed(3); randn(); seed(1); randn():", [np.random.randn()])

    # The four activations and their derivatives on a few points (linalg_nn::activations).
    z = np.array([-3.0, -0.5, 0.0, 0.5, 2.0, 10.0])
    s = 1 / (1 + np.exp(-z))
    show("z:", z)
    show("sigmoid(z):", s)
    show("sigmoid'(z) = s (1 - s):", s * (1 - s))
    show("tanh(z):", np.tanh(z))
    show("tanh'(z) = 1 - tanh(z)**2:", 1 - np.tanh(z) ** 2)
    show("relu(z):", np.maximum(0, z))
    show("relu'(z):", (z > 0) * 1.0)
    show("leaky_relu(z):", np.where(z > 0, z, 0.01 * z))
    show("leaky_relu'(z):", np.where(z > 0, 1.0, 0.01))

    X, Y = load_planar_dataset()
    show("flower X[0, 0], X[1, 0], X[0, 399], X[1, 399]:", [X[0, 0], X[1, 0], X[0, 399], X[1, 399]])
    print("flower X.sum():", repr(float(X.sum())))
    # Every bit of X: the f64 bit patterns, row-major, the k-th weighted by k + 1, summed mod 2^64.
    bits = np.ascontiguousarray(X).view(np.uint64)
    weights = np.arange(1, X.size + 1, dtype=np.uint64).reshape(X.shape)
    print("flower X bit checksum:", int((weights * bits).sum(dtype=np.uint64)))
    print("flower Y.sum(), Y[0, 199], Y[0, 200]:", int(Y.sum()), int(Y[0, 199]), int(Y[0, 200]))


if __name__ == "__main__":
    main()
