"""Shared helpers of the numpy reference: the cat data set loader (lr_utils.load_dataset of the
course), the command line every script takes, and the JSON report that `cargo xtask bench`
compares with the Rust binaries' `--json` output.

This is not part of the Rust project's code: it is the plain float64 numpy baseline the
benchmark measures the Rust crates against (see README.md in this folder).
"""

import argparse
import json
import os
import sys

import numpy as np


def parse_args(description, extra=None):
    """--data-dir, --quiet and --json, as the Rust binaries take them, plus `extra(parser)`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("DL_COURSE_DATA", "datasets"),
        help="folder with train_catvnoncat.h5 / test_catvnoncat.h5 (read with h5py), or with "
        "the same arrays as .npy files (train_set_x.npy, train_set_y.npy, test_set_x.npy, "
        "test_set_y.npy, as `cargo xtask bench` exports them); default $DL_COURSE_DATA",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the final results")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    if extra is not None:
        extra(parser)
    return parser.parse_args()


def load_dataset(data_dir):
    """lr_utils.load_dataset(): (train_set_x_orig, train_set_y, test_set_x_orig, test_set_y,
    classes) with the labels reshaped to (1, m), as in the course.

    The .npy files are preferred when present (no h5py needed); otherwise the course's HDF5
    files are read with h5py.
    """
    names = ["train_set_x", "train_set_y", "test_set_x", "test_set_y"]
    paths = [os.path.join(data_dir, name + ".npy") for name in names]
    if all(os.path.isfile(p) for p in paths):
        train_x, train_y, test_x, test_y = (np.load(p) for p in paths)
    else:
        try:
            import h5py
        except ImportError:
            sys.exit(
                "error: %s has no .npy export of the data set and h5py is not installed "
                "(pip install h5py, or run through `cargo xtask bench`, which exports .npy files)"
                % data_dir
            )
        with h5py.File(os.path.join(data_dir, "train_catvnoncat.h5"), "r") as train:
            train_x = np.array(train["train_set_x"][:])
            train_y = np.array(train["train_set_y"][:])
        with h5py.File(os.path.join(data_dir, "test_catvnoncat.h5"), "r") as test:
            test_x = np.array(test["test_set_x"][:])
            test_y = np.array(test["test_set_y"][:])
    classes = np.array([b"non-cat", b"cat"])
    train_y = train_y.reshape((1, train_y.shape[0]))
    test_y = test_y.reshape((1, test_y.shape[0]))
    return train_x, train_y, test_x, test_y, classes


class Console:
    """Human lines on stdout (stderr under --json, where stdout carries one JSON object)."""

    def __init__(self, args):
        self.quiet = args.quiet
        self.json = args.json

    def detail(self, line):
        if not self.quiet:
            self.result(line)

    def result(self, line):
        print(line, file=sys.stderr if self.json else sys.stdout)

    def emit_json(self, value):
        if self.json:
            print(json.dumps(value))
