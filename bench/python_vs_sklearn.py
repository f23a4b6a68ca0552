"""dnn.Classifier (the Python package in python/) against scikit-learn's MLPClassifier, with
the same network and the same training: one hidden layer of 100 ReLU units, Adam with
learning rate 0.001, mini-batches of 200, L2 alpha 1e-4, the same number of epochs (early
stopping off; MLPClassifier's tolerance test off, so that both run every epoch).

    /path/to/venv/bin/python bench/python_vs_sklearn.py [--repeats 3]

Needs numpy, scikit-learn and the dnn package (`pip install ./python`). Data: breast cancer
and digits (all ten classes) from scikit-learn, standardised, and a synthetic set of 50000
examples of 100 features (make_classification, two classes, random_state=0), each split 75/25
with random_state=0. Prints one Markdown table: the best fit time of `--repeats` fits, the
median time of predict_proba on one row (over 2000 calls), and the test accuracy.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

import dnn

COMMON = dict(hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=1e-4, batch_size=200,
              learning_rate_init=0.001, random_state=0)


def data_sets():
    X, y = load_breast_cancer(return_X_y=True)
    yield "breast cancer", X, y, 200
    X, y = load_digits(return_X_y=True)
    yield "digits (10 classes)", X, y, 200
    X, y = make_classification(n_samples=50000, n_features=100, n_informative=20, random_state=0)
    yield "synthetic 50000 × 100", X, y, 20


def best_fit_seconds(make, X, y, repeats):
    best, model = float("inf"), None
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        model.fit(X, y)
        best = min(best, time.perf_counter() - start)
    return best, model


def one_row_microseconds(model, x, calls=2000):
    for _ in range(50):
        model.predict_proba(x)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        model.predict_proba(x)
        times.append(time.perf_counter() - start)
    return 1e6 * float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    print("| data set | epochs | fit dnn (s) | fit sklearn (s) | fit speed-up | predict_proba 1 row dnn (µs) "
          "| sklearn (µs) | speed-up | accuracy dnn | accuracy sklearn |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, X, y, epochs in data_sets():
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        fit_dnn, ours = best_fit_seconds(lambda: dnn.Classifier(max_iter=epochs, **COMMON), X_train, y_train,
                                         args.repeats)
        fit_mlp, theirs = best_fit_seconds(
            lambda: MLPClassifier(max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, **COMMON),
            X_train, y_train, args.repeats,
        )
        assert ours.n_iter_ == theirs.n_iter_ == epochs
        row = X_test[:1]
        one_dnn, one_mlp = one_row_microseconds(ours, row), one_row_microseconds(theirs, row)
        print(f"| {name} | {epochs} | {fit_dnn:.3f} | {fit_mlp:.3f} | {fit_mlp / fit_dnn:.1f}× | {one_dnn:.1f} "
              f"| {one_mlp:.1f} | {one_mlp / one_dnn:.1f}× | {ours.score(X_test, y_test):.4f} "
              f"| {theirs.score(X_test, y_test):.4f} |", flush=True)


if __name__ == "__main__":
    main()
