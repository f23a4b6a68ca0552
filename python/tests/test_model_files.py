"""Model files: the estimators' `save` and `dnn.load` read and write the files of
`dnn train --model`; a model trained in Python predicts the same bits through `dnn predict`,
and a model trained by `dnn train` the same bits in Python."""

import csv
import io
import json
import subprocess

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_regression

import dnn

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
SPECIES = np.array(["setosa", "versicolor", "virginica"])[IRIS_Y]
HEADER = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def write_features(path, X, header=None, labels=None, label_name="label"):
    """X (and the labels) as a CSV file whose numbers read back as the same floats."""
    with open(path, "w") as out:
        if header is not None:
            out.write(",".join(header + ([label_name] if labels is not None else [])) + "\n")
        for j, row in enumerate(X):
            values = [repr(float(v)) for v in row] + ([str(labels[j])] if labels is not None else [])
            out.write(",".join(values) + "\n")


def dnn_predict(dnn_bin, model, data):
    """`dnn predict`'s CSV output as a list of rows (dicts)."""
    run = subprocess.run([dnn_bin, "predict", "--model", str(model), str(data)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return list(csv.DictReader(io.StringIO(run.stdout)))


def assert_same_bits(cli_values, python_values):
    """Numbers printed by `dnn predict` (shortest round-trip form) against Python's."""
    cli = np.array([float(v) for v in cli_values])
    python = np.asarray(python_values, dtype=np.float64)
    np.testing.assert_array_equal(cli.view(np.uint64), python.view(np.uint64))


CASES = {
    "two-classes": (IRIS_X[50:], SPECIES[50:]),
    "three-classes": (IRIS_X, SPECIES),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES)
def test_a_python_model_predicts_the_same_bits_through_dnn_predict(tmp_path, dnn_bin, case, dtype):
    X, y = CASES[case]
    model = dnn.Classifier(hidden_layer_sizes=(6, 4), max_iter=60, random_state=3, dtype=dtype).fit(X, y)
    model.save(tmp_path / "model.safetensors")
    write_features(tmp_path / "x.csv", X)
    rows = dnn_predict(dnn_bin, tmp_path / "model.safetensors", tmp_path / "x.csv")
    proba = model.predict_proba(X)
    assert [row["label"] for row in rows] == list(model.predict(X))
    if len(model.classes_) == 2:
        assert_same_bits([row["probability"] for row in rows], proba[:, 1])
    else:
        for k, name in enumerate(model.classes_):
            assert_same_bits([row[f"p_{name}"] for row in rows], proba[:, k])


def test_a_python_regression_predicts_the_same_bits_through_dnn_predict(tmp_path, dnn_bin):
    X, y = make_regression(n_samples=80, n_features=3, noise=0.5, random_state=0)
    model = dnn.Regressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, y / 100)
    model.save(tmp_path / "model.safetensors")
    write_features(tmp_path / "x.csv", X)
    rows = dnn_predict(dnn_bin, tmp_path / "model.safetensors", tmp_path / "x.csv")
    assert_same_bits([row["value"] for row in rows], model.predict(X))


def test_dnn_info_describes_a_python_model(tmp_path, dnn_bin):
    model = dnn.Classifier(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(IRIS_X, SPECIES)
    model.save(tmp_path / "iris.safetensors")
    run = subprocess.run([dnn_bin, "info", "--model", str(tmp_path / "iris.safetensors")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "layers:        4 inputs → 5 relu → 3 softmax" in lines
    assert "classes:       3 (0 = setosa, 1 = versicolor, 2 = virginica)" in lines
    assert "dtype:         f64" in lines
    training = next(line for line in lines if line.startswith("training:"))
    record = json.loads(training.split(":", 1)[1])
    assert record["estimator"] == "Classifier"
    assert record["iterations"] == 3
    assert record["params"]["hidden_layer_sizes"] == [5]


@pytest.mark.parametrize("dtype", ["f64", "f32"])
def test_a_cli_model_predicts_the_same_bits_in_python(tmp_path, dnn_bin, dtype):
    write_features(tmp_path / "train.csv", IRIS_X, HEADER, SPECIES, "species")
    write_features(tmp_path / "x.csv", IRIS_X, HEADER)
    model_path = tmp_path / "cli.safetensors"
    train = subprocess.run(
        [dnn_bin, "train", str(tmp_path / "train.csv"), "--layers", "5", "--iterations", "200",
         "--dtype", dtype, "--quiet", "--model", str(model_path)],
        capture_output=True, text=True,
    )
    assert train.returncode == 0, train.stderr
    rows = dnn_predict(dnn_bin, model_path, tmp_path / "x.csv")
    model = dnn.load(model_path)
    assert isinstance(model, dnn.Classifier)
    assert list(model.classes_) == ["setosa", "versicolor", "virginica"]
    assert model.network_.preprocesses  # dnn train standardised the file's features
    assert model.network_.dtype == dtype
    assert model.get_params()["hidden_layer_sizes"] == (5,)
    assert list(model.feature_names_in_) == HEADER
    proba = model.predict_proba(IRIS_X)
    for k, name in enumerate(model.classes_):
        assert_same_bits([row[f"p_{name}"] for row in rows], proba[:, k])
    assert [row["label"] for row in rows] == list(model.predict(IRIS_X))


def test_a_cli_regression_predicts_the_same_bits_in_python(tmp_path, dnn_bin):
    X, y = make_regression(n_samples=100, n_features=3, noise=1.0, random_state=1)
    write_features(tmp_path / "train.csv", X, ["a", "b", "c"], y, "target")
    write_features(tmp_path / "x.csv", X, ["a", "b", "c"])
    model_path = tmp_path / "cli.safetensors"
    train = subprocess.run(
        [dnn_bin, "train", str(tmp_path / "train.csv"), "--output-activation", "linear", "--layers", "8",
         "--iterations", "100", "--quiet", "--model", str(model_path)],
        capture_output=True, text=True,
    )
    assert train.returncode == 0, train.stderr
    rows = dnn_predict(dnn_bin, model_path, tmp_path / "x.csv")
    model = dnn.load(model_path)
    assert isinstance(model, dnn.Regressor)
    assert_same_bits([row["value"] for row in rows], model.predict(X))


@pytest.mark.parametrize("labels", [np.array([3, 7]), np.array(["no", "yes"]), np.array([1.0, 2.0, 4.0])])
def test_save_and_load_in_python_keep_the_network_the_classes_and_the_parameters(tmp_path, labels):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = labels[rng.randint(len(labels), size=60)]
    model = dnn.Classifier(hidden_layer_sizes=(4,), activation="tanh", max_iter=5, random_state=0, dtype="float32")
    model.fit(X, y)
    model.save(tmp_path / "m.safetensors")
    loaded = dnn.load(tmp_path / "m.safetensors")
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    assert loaded.classes_.dtype.kind == model.classes_.dtype.kind
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.n_iter_ == 5
    loaded.save(tmp_path / "again.safetensors")
    np.testing.assert_array_equal(dnn.load(tmp_path / "again.safetensors").predict_proba(X), model.predict_proba(X))


def test_pythons_safetensors_reads_a_python_model(tmp_path):
    safetensors = pytest.importorskip("safetensors")
    model = dnn.Classifier(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(IRIS_X, SPECIES)
    model.save(tmp_path / "m.safetensors")
    with safetensors.safe_open(str(tmp_path / "m.safetensors"), framework="numpy") as f:
        meta = json.loads(f.metadata()["dnn"])
        W1 = f.get_tensor("W1")
    assert meta["layer_sizes"] == [4, 5, 3]
    assert meta["class_names"] == ["setosa", "versicolor", "virginica"]
    np.testing.assert_array_equal(W1, model.coefs_[0].T)


def test_a_cli_model_names_its_features_without_the_id_label_and_ignored_columns(tmp_path, dnn_bin):
    rows = ["id,b,skip,a,y"] + [f"e{j},{j % 7 * 0.5},{j},{(j * 3) % 5 - 2.0},{j % 2}" for j in range(40)]
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")
    model_path = tmp_path / "cli.safetensors"
    train = subprocess.run(
        [dnn_bin, "train", str(tmp_path / "train.csv"), "--id-column", "id", "--ignore-columns", "skip",
         "--label-column", "y", "--layers", "3", "--iterations", "20", "--quiet", "--model", str(model_path)],
        capture_output=True, text=True,
    )
    assert train.returncode == 0, train.stderr
    model = dnn.load(model_path)
    assert list(model.feature_names_in_) == ["b", "a"]
    assert model.n_features_in_ == 2
    # An .npy file has no column names: none are claimed.
    np.save(tmp_path / "x.npy", np.array([[0.5, 1.0], [1.5, -2.0], [0.0, 2.0], [3.0, 0.0]]))
    np.save(tmp_path / "y.npy", np.array([0.0, 1.0, 0.0, 1.0]))
    model_path = tmp_path / "npy.safetensors"
    train = subprocess.run(
        [dnn_bin, "train", str(tmp_path / "x.npy"), "--layers", "3", "--iterations", "20", "--quiet",
         "--model", str(model_path)],
        capture_output=True, text=True,
    )
    assert train.returncode == 0, train.stderr
    assert not hasattr(dnn.load(model_path), "feature_names_in_")
