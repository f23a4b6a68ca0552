"""dnn's defaults for a data file against scikit-learn's own defaults, on data nobody here made.

    /path/to/venv/bin/python bench/defaults.py [--dnn target/release/dnn] [--cats DIR]

Needs numpy, pandas and scikit-learn (`pip install numpy pandas scikit-learn`, and h5py for --cats). Writes the
train/test CSV files of scikit-learn's breast cancer, wine (class 0 against the rest), digits
(5-9 against 0-4) and diabetes (regression) data sets, split 75/25 with random_state=0
(stratified for the classifications), into a temporary folder; trains `dnn train` on each with
no hyperparameter flags; and fits MLPClassifier()/MLPRegressor() with their defaults, alone and
after a StandardScaler, on the same split. With --cats it also trains both on the course's cat
pictures (HDF5 files in DIR; scikit-learn gets the pixels divided by 255, as the course does).
Prints one Markdown table of test scores: accuracy for the classifications, R² for diabetes.
"""

import argparse
import json
import os
import subprocess
import tempfile
import warnings

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def data_sets():
    bc = datasets.load_breast_cancer()
    wine = datasets.load_wine()
    digits = datasets.load_digits()
    diabetes = datasets.load_diabetes(scaled=False)
    yield "breast cancer", bc.data, np.array(["malignant", "benign"])[bc.target], False
    yield "wine (class 0 / rest)", wine.data, (wine.target == 0).astype(int), False
    yield "digits (5-9 / 0-4)", digits.data, (digits.target >= 5).astype(int), False
    yield "diabetes (R²)", diabetes.data, diabetes.target, True


def write(folder, name, x, y):
    path = os.path.join(folder, name)
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    frame["label"] = y
    frame.to_csv(path, index=False)
    return path


def run_dnn(dnn, train, test, regression):
    command = [dnn, "train", train, "--test", test, "--json"]
    if regression:
        command += ["--output-activation", "linear"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return f"error: {result.stderr.strip()}"
    report = json.loads(result.stdout)
    if regression:
        return report["test_regression"]["r2"]
    return report["test_accuracy"]


def run_sklearn(x_train, y_train, x_test, y_test, regression, scaled):
    model = MLPRegressor(random_state=0) if regression else MLPClassifier(random_state=0)
    if scaled:
        model = make_pipeline(StandardScaler(), model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x_train, y_train)
    return model.score(x_test, y_test)


def cats(folder):
    import h5py

    def load(name):
        with h5py.File(os.path.join(folder, name), "r") as f:
            x = np.array(f[[k for k in f if k.endswith("_x")][0]])
            y = np.array(f[[k for k in f if k.endswith("_y")][0]])
        return x.reshape(x.shape[0], -1) / 255.0, y

    return load("train_catvnoncat.h5"), load("test_catvnoncat.h5")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dnn", default="target/release/dnn")
    parser.add_argument("--cats", help="folder with train_catvnoncat.h5 and test_catvnoncat.h5")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, x, y, regression in data_sets():
            stratify = None if regression else y
            x_train, x_test, y_train, y_test = train_test_split(
                x, y, test_size=0.25, random_state=0, stratify=stratify
            )
            train = write(folder, "train.csv", x_train, y_train)
            test = write(folder, "test.csv", x_test, y_test)
            rows.append((
                name,
                f"{len(y_train)} / {len(y_test)}",
                run_dnn(args.dnn, train, test, regression),
                run_sklearn(x_train, y_train, x_test, y_test, regression, scaled=False),
                run_sklearn(x_train, y_train, x_test, y_test, regression, scaled=True),
            ))
    if args.cats:
        (x_train, y_train), (x_test, y_test) = cats(args.cats)
        train = os.path.join(args.cats, "train_catvnoncat.h5")
        test = os.path.join(args.cats, "test_catvnoncat.h5")
        rows.append((
            "cat pictures",
            f"{len(y_train)} / {len(y_test)}",
            run_dnn(args.dnn, train, test, False),
            run_sklearn(x_train, y_train, x_test, y_test, False, scaled=False),
            run_sklearn(x_train, y_train, x_test, y_test, False, scaled=True),
        ))
    print("| data set | train / test | dnn train (defaults) | MLP (defaults) | StandardScaler + MLP (defaults) |")
    print("|---|---|---|---|---|")
    for name, sizes, *scores in rows:
        cells = [s if isinstance(s, str) else f"{s:.4f}" for s in scores]
        print(f"| {name} | {sizes} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
