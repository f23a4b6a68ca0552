"""Every refusal: a ValueError (or OSError for files) with dnn's message, never a panic."""

import re

import numpy as np
import pytest

import dnn

X = np.random.RandomState(0).randn(40, 3)
Y = (X[:, 0] > 0).astype(int)

HYPERPARAMETERS = [
    (dict(learning_rate_init=-1), "invalid learning rate -1: a finite number greater than 0"),
    (dict(learning_rate_init=float("nan")), "invalid learning rate NaN: a finite number greater than 0"),
    (dict(max_iter=0), "invalid max_iter 0: expected at least 1"),
    (dict(max_iter=2.5), "invalid max_iter 2.5: expected a whole number"),
    (dict(batch_size=0), "invalid batch size 0: expected at least 1"),
    (dict(hidden_layer_sizes=(0,)), "invalid hidden layer size 0: expected at least 1"),
    (
        dict(activation="swish"),
        "invalid activation 'swish': expected sigmoid, tanh, relu, leaky-relu, leaky-relu:SLOPE (0 <= SLOPE < 1), "
        "linear or softmax",
    ),
    (dict(solver="lbfgs"), "invalid optimizer 'lbfgs': expected gd, momentum, rmsprop or adam"),
    (
        dict(init="glorot"),
        "invalid initialisation 'glorot': expected zeros, scaled:S (S > 0, e.g. scaled:0.01), lecun, he or xavier",
    ),
    (
        dict(init="zeros"),
        "zero initialisation with 1 hidden layer(s): every hidden unit of a layer would compute the same function "
        "and receive the same gradient, so they stay identical forever (symmetry) and the network learns no more "
        "than one unit per layer; use a random initialisation (scaled:0.01, lecun, he, xavier) or allow symmetry "
        "explicitly",
    ),
    (dict(dtype="float16"), "invalid dtype 'float16': expected f32 or f64"),
    (dict(dtype="f16"), "invalid dtype 'f16': expected f32 or f64"),
    (dict(alpha=-1), "invalid L2 lambda -1: a finite number of at least 0"),
    (dict(beta_1=1.0), "invalid beta1 1: a number in [0, 1)"),
    (dict(beta_2=-0.1), "invalid beta2 -0.1: a number in [0, 1)"),
    (dict(epsilon=0.0), "invalid epsilon 0: a finite number greater than 0"),
    (dict(solver="momentum", momentum=1.5), "invalid beta1 1.5: a number in [0, 1)"),
    (
        dict(early_stopping=True, validation_fraction=1.5),
        "invalid validation fraction 1.5: a fraction between 0 and 1 (0 scores on the training data)",
    ),
    (
        dict(early_stopping=True, validation_fraction=0.0),
        "invalid validation fraction 0: a fraction between 0 and 1 (0 scores on the training data)",
    ),
    (dict(early_stopping=True, n_iter_no_change=0), "invalid n_iter_no_change 0: expected at least 1"),
    (dict(threads=0), "invalid threads 0: expected at least 1"),
]


@pytest.mark.parametrize("params, message", HYPERPARAMETERS, ids=[str(p) for p, _ in HYPERPARAMETERS])
@pytest.mark.parametrize("estimator", [dnn.Classifier, dnn.Regressor])
def test_bad_hyperparameters_are_refused_with_dnns_message(estimator, params, message):
    model = estimator(**params)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, Y)
    assert not hasattr(model, "network_")


def test_a_diverging_run_is_refused_with_a_smaller_learning_rate_to_try():
    message = (
        "training diverged at iteration 1: the cost grew from 1.397461 to 2.001e11, over 100 times its first "
        "value, with learning rate 1e6; try a smaller learning rate, such as 100000"
    )
    model = dnn.Classifier(learning_rate_init=1e6, solver="sgd", batch_size=None, random_state=0)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.fit(X, Y)


@pytest.mark.parametrize(
    "row, column, value, shown", [(3, 2, np.nan, "NaN"), (0, 1, np.inf, "inf"), (39, 0, -np.inf, "-inf")]
)
def test_a_non_finite_input_names_its_row_and_column(row, column, value, shown):
    bad = X.copy()
    bad[row, column] = value
    message = f"X has a non-finite value {shown} at row {row}, column {column}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        dnn.Classifier().fit(bad, Y)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        dnn.Regressor().fit(bad, X[:, 0])
    model = dnn.Classifier(max_iter=2).fit(X, Y)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.predict(bad)


def test_one_class_is_refused():
    with pytest.raises(
        ValueError, match=r"^every label is 'yes' \(one class\): a classification needs examples of two classes$"
    ):
        dnn.Classifier().fit(X, np.array(["yes"] * 40))


def test_another_feature_count_at_prediction_is_refused():
    model = dnn.Classifier(max_iter=2).fit(X, Y)
    with pytest.raises(ValueError, match=r"^X has 2 features, but Classifier is expecting 3 features as input\.$"):
        model.predict(X[:, :2])


def test_model_files_that_cannot_be_read(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"^{re.escape(str(tmp_path))}/none.safetensors: no such file or folder$"):
        dnn.load(tmp_path / "none.safetensors")
    (tmp_path / "text.safetensors").write_text("hello")
    with pytest.raises(
        ValueError,
        match=f"^{re.escape(str(tmp_path))}/text.safetensors: not a valid dnn model file: "
        r"not a safetensors file, or truncated \(header too small\)$",
    ):
        dnn.load(tmp_path / "text.safetensors")
    with pytest.raises(OSError, match=f"^{re.escape(str(tmp_path))}: is a folder, expected a file$"):
        dnn.load(tmp_path)
    model = dnn.Classifier(max_iter=2).fit(X, Y)
    with pytest.raises(
        FileNotFoundError, match=f"^{re.escape(str(tmp_path))}/no/m.safetensors: no such file or folder$"
    ):
        model.save(tmp_path / "no" / "m.safetensors")
    with pytest.raises(ValueError, match=r"^\(bytes\): not a valid dnn model file: "):
        dnn.Network.from_bytes(b"\x08" + bytes(7) + b"{}")


def test_x_of_another_float_type_than_the_network_is_a_type_error():
    network = dnn.Network([3, 1], "relu", "sigmoid", "he", 1, "f32")
    with pytest.raises(TypeError, match="^X must be a 2-D numpy array of float32 for this network$"):
        network.predict_proba(X)
