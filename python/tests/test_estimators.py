"""dnn.Classifier and dnn.Regressor: labels of any type, scikit-learn's pipelines and
searches, pickling, float32, threads, the GIL, Ctrl-C and verbose output."""

import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import dnn


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["benign", "malignant"]),
        np.array([-1, 1]),
        np.array([False, True]),
        np.array([1.0, 2.0]),
        np.array(["a", "b", "c"], dtype=object),
    ],
    ids=["str", "int", "bool", "float", "object"],
)
def test_classes_are_the_labels_in_sorted_order_and_predictions_are_labels(labels):
    rng = np.random.RandomState(0)
    X = rng.randn(120, 4)
    index = (X[:, 0] > 0).astype(int) + (len(labels) == 3) * (X[:, 1] > 0.5)
    y = labels[index]
    model = dnn.Classifier(hidden_layer_sizes=(8,), max_iter=300, learning_rate_init=0.01, random_state=0)
    model.fit(X, y)
    assert list(model.classes_) == sorted(set(labels.tolist()))
    predicted = model.predict(X)
    assert predicted.dtype == model.classes_.dtype
    assert set(predicted.tolist()) <= set(labels.tolist())
    assert model.score(X, y) > 0.9
    proba = model.predict_proba(X)
    assert proba.shape == (120, len(labels))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert list(predicted) == list(model.classes_[proba.argmax(axis=1)])


def test_two_classes_train_one_sigmoid_output_and_more_a_softmax():
    X, y = load_digits(return_X_y=True)
    binary = dnn.Classifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y >= 5)
    many = dnn.Classifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    assert binary.network_.activations == ["relu", "sigmoid"]
    assert binary.network_.sizes == [64, 8, 1]
    assert binary.out_activation_ == "logistic"
    assert many.network_.activations == ["relu", "softmax"]
    assert many.network_.sizes == [64, 8, 10]
    assert many.out_activation_ == "softmax"
    assert [w.shape for w in many.coefs_] == [(64, 8), (8, 10)]
    assert [b.shape for b in many.intercepts_] == [(8,), (10,)]


def test_the_mlp_defaults_and_their_fitted_attributes(cancer):
    X, y = cancer
    model = dnn.Classifier(random_state=0).fit(X, y)
    assert model.get_params()["hidden_layer_sizes"] == (100,)
    assert model.n_features_in_ == 30
    assert model.n_iter_ == 200 == len(model.loss_curve_)
    assert model.loss_ == model.loss_curve_[-1] < model.loss_curve_[0]
    assert model.score(X, y) > 0.98


def test_early_stopping_holds_out_a_fraction_and_keeps_the_best_epoch(cancer):
    X, y = cancer
    model = dnn.Classifier(
        hidden_layer_sizes=(64,), learning_rate_init=0.01, max_iter=500, early_stopping=True, n_iter_no_change=5,
        random_state=0,
    ).fit(X, y)
    assert model.n_iter_ < 500
    assert model.n_iter_ == len(model.validation_loss_curve_)
    assert model.n_iter_ == model.best_epoch_ + 1 + 5
    assert model.best_loss_ == min(model.validation_loss_curve_)


def test_a_random_state_repeats_the_run_and_threads_do_not_change_it(cancer):
    X, y = cancer
    runs = [dnn.Classifier(max_iter=20, random_state=7, threads=t).fit(X, y) for t in (1, 2, 1)]
    assert runs[0].loss_curve_ == runs[1].loss_curve_ == runs[2].loss_curve_
    np.testing.assert_array_equal(runs[0].predict_proba(X), runs[1].predict_proba(X))
    other = dnn.Classifier(max_iter=20, random_state=8).fit(X, y)
    assert other.loss_curve_ != runs[0].loss_curve_


def test_float32_trains_and_predicts_in_float32(cancer):
    X, y = cancer
    model = dnn.Classifier(max_iter=50, random_state=0, dtype=np.float32).fit(X, y)
    assert model.network_.dtype == "f32"
    assert model.predict_proba(X).dtype == np.float32
    assert model.score(X, y) > 0.97
    f64 = dnn.Classifier(max_iter=50, random_state=0).fit(X, y)
    assert f64.predict_proba(X).dtype == np.float64
    np.testing.assert_allclose(model.loss_curve_, f64.loss_curve_, rtol=1e-3)


def test_regressor_fits_one_or_several_targets():
    X, y = make_regression(n_samples=300, n_features=5, n_targets=2, noise=0.1, random_state=0)
    y = y / y.std(axis=0)
    one = dnn.Regressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0).fit(X, y[:, 0])
    assert one.predict(X).shape == (300,)
    assert one.network_.activations == ["relu", "linear"]
    assert one.network_.loss == "mean-squared-error"
    assert one.score(X, y[:, 0]) > 0.95
    two = dnn.Regressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0).fit(X, y)
    assert two.predict(X).shape == (300, 2)
    assert two.score(X, y) > 0.95


def test_pipeline_and_grid_search(cancer):
    X, y = load_breast_cancer(return_X_y=True)
    pipeline = make_pipeline(StandardScaler(), dnn.Classifier(max_iter=30, learning_rate_init=0.01, random_state=0))
    grid = GridSearchCV(
        pipeline,
        {"classifier__hidden_layer_sizes": [(8,), (32, 16)], "classifier__alpha": [1e-4, 1.0]},
        cv=3,
        n_jobs=2,
    )
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.95
    assert grid.score(X, y) > 0.97
    assert grid.best_estimator_[-1].get_params()["hidden_layer_sizes"] in [(8,), (32, 16)]


def test_pickle_keeps_the_fitted_network_bit_for_bit(cancer):
    X, y = cancer
    for dtype in ("float64", "float32"):
        model = dnn.Classifier(hidden_layer_sizes=(16, 8), max_iter=20, random_state=0, dtype=dtype).fit(X, y)
        again = pickle.loads(pickle.dumps(model))
        assert again.network_.dtype == model.network_.dtype
        np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
        for name, value in model.network_.parameters().items():
            np.testing.assert_array_equal(again.network_.parameters()[name], value)


def test_the_gil_is_released_while_training():
    X = np.random.RandomState(0).randn(4000, 64)
    y = (X[:, 0] > 0).astype(int)
    model = dnn.Classifier(hidden_layer_sizes=(256, 256), max_iter=20, random_state=0, threads=1)
    trainer = threading.Thread(target=model.fit, args=(X, y))
    start = time.perf_counter()
    trainer.start()
    ticks = 0
    while trainer.is_alive():
        ticks += 1
        time.sleep(0.001)
    seconds = time.perf_counter() - start
    assert model.n_iter_ == 20
    # Holding the GIL would stop this loop for the whole training.
    assert seconds > 0.3, f"training took {seconds:.3f} s, too short to tell"
    assert ticks > 100 * seconds, f"{ticks} ticks in {seconds:.2f} s"


def test_verbose_prints_the_course_cost_lines(capsys):
    X = np.random.RandomState(0).randn(50, 2)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = dnn.Classifier(
        hidden_layer_sizes=(4,), activation="tanh", solver="sgd", batch_size=None, learning_rate_init=1.2,
        max_iter=250, init="scaled:0.01", random_state=2, verbose=True,
    ).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Cost after iteration 0", "Cost after iteration 100", "Cost after iteration 200", "Cost after iteration 249",
    ]
    assert lines[0] == f"Cost after iteration 0: {model.loss_curve_[0]:.6f}"
    assert lines[-1] == f"Cost after iteration 249: {model.loss_curve_[-1]:.6f}"
    dnn.Classifier(hidden_layer_sizes=(4,), max_iter=250, random_state=2).fit(X, y)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("threads", [1, 2])
def test_ctrl_c_stops_training_with_keyboard_interrupt(threads):
    child = textwrap.dedent(f"""
        import signal, sys, time
        import numpy as np
        import dnn
        signal.signal(signal.SIGINT, signal.default_int_handler)
        X = np.random.RandomState(0).randn(20000, 50)
        y = (X[:, 0] > 0).astype(int)
        model = dnn.Classifier(hidden_layer_sizes=(256, 256), max_iter=100000, threads={threads})
        print("training", flush=True)
        start = time.perf_counter()
        try:
            model.fit(X, y)
        except KeyboardInterrupt:
            print(f"KeyboardInterrupt after {{time.perf_counter() - start:.1f}} s", flush=True)
            sys.exit(0)
        print("finished", flush=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "training\n"
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert out.startswith("KeyboardInterrupt after "), out
