"""dnn.course against the course's numpy code (course_reference.py) on the course's cat
pictures, to 1e-12 relative, and against the course's published numbers."""

import pathlib

import numpy as np
import pytest

import course_reference as ref
from dnn import course

CATS = pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "catvnoncat"
RTOL = 1e-12


def assert_close(actual, expected, what):
    """Equal to 1e-12 relative, elementwise, with values near 0 measured against the array's
    largest (a gradient's entries that cancel to ~0 carry the rounding of their terms)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, what
    scale = np.max(np.abs(expected)) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * scale, err_msg=what)


@pytest.fixture(scope="module")
def cats():
    """The course's load_data() and its preprocessing: X = flattened pictures / 255."""
    h5py = pytest.importorskip("h5py", reason="h5py reads the course's cat pictures")
    if not (CATS / "train_catvnoncat.h5").is_file():
        reason = f"the course's cat data is not in {CATS.resolve()}"
        print(f"skipped: {reason}")
        pytest.skip(reason)
    with h5py.File(CATS / "train_catvnoncat.h5", "r") as train, h5py.File(CATS / "test_catvnoncat.h5", "r") as test:
        train_x = np.array(train["train_set_x"]).reshape(209, -1).T / 255.0
        train_y = np.array(train["train_set_y"]).reshape(1, -1).astype(np.float64)
        test_x = np.array(test["test_set_x"]).reshape(50, -1).T / 255.0
        test_y = np.array(test["test_set_y"]).reshape(1, -1).astype(np.float64)
    assert list(train_x[:10, 1] * 255) == [196, 192, 190, 193, 186, 182, 188, 179, 174, 213]
    return train_x, train_y, test_x, test_y


def test_initialisation_draws_numpys_numbers():
    small = course.initialize_parameters_deep([5, 4, 3], seed=3, init="scaled:0.01")
    expected = ref.initialize_parameters_deep([5, 4, 3], 3, scale=0.01)
    assert sorted(small) == ["W1", "W2", "b1", "b2"]
    for name in expected:
        np.testing.assert_array_equal(small[name], expected[name], err_msg=name)
    np.testing.assert_allclose(small["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388], atol=5e-9)
    two = course.initialize_parameters(3, 2, 1, seed=1)
    np.testing.assert_allclose(
        two["W1"], [[0.01624345, -0.00611756, -0.00528172], [-0.01072969, 0.00865408, -0.02301539]], atol=5e-9
    )
    np.testing.assert_allclose(two["W2"], [[0.01744812, -0.00761207]], atol=5e-9)
    assert two["b1"].shape == (2, 1) and not two["b1"].any()
    deep = course.initialize_parameters_deep([12288, 20, 7, 5, 1], seed=1)
    for name, value in ref.initialize_parameters_deep([12288, 20, 7, 5, 1], 1).items():
        assert_close(deep[name], value, name)


def test_compute_cost_of_the_notebooks_example():
    cost = course.compute_cost(np.array([[0.8, 0.9, 0.4]]), np.array([[1.0, 1.0, 0.0]]))
    assert cost == pytest.approx(0.2797765635793422, rel=RTOL)


def test_one_step_on_the_cats_matches_numpy(cats):
    X, Y, _, _ = cats
    parameters = ref.initialize_parameters_deep([12288, 20, 7, 5, 1], 1)
    AL, caches = course.L_model_forward(X, parameters)
    AL_ref, caches_ref = ref.L_model_forward(X, parameters)
    assert_close(AL, AL_ref, "AL")
    assert len(caches) == 4
    for l, (((A_prev, W, b), Z), ((A_prev_ref, W_ref, b_ref), Z_ref)) in enumerate(zip(caches, caches_ref), 1):
        assert_close(A_prev, A_prev_ref, f"A{l - 1}")
        assert W is parameters[f"W{l}"] and b is parameters[f"b{l}"]
        assert_close(Z, Z_ref, f"Z{l}")
    cost = course.compute_cost(AL, Y)
    assert cost == pytest.approx(ref.compute_cost(AL_ref, Y), rel=RTOL)
    assert cost == pytest.approx(0.7717493284237686, rel=1e-8)
    grads = course.L_model_backward(AL, Y, caches)
    grads_ref = ref.L_model_backward(AL_ref, Y, caches_ref)
    assert sorted(grads) == sorted(grads_ref)
    for name in grads_ref:
        assert_close(grads[name], grads_ref[name], name)
    updated = course.update_parameters(parameters, grads, 0.0075)
    for name, value in ref.update_parameters(parameters, grads_ref, 0.0075).items():
        assert_close(updated[name], value, name)


@pytest.mark.parametrize(
    "model, dims, scale",
    [(course.two_layer_model, [12288, 7, 1], 0.01), (course.L_layer_model, [12288, 20, 7, 5, 1], None)],
    ids=["two-layer", "L-layer"],
)
def test_the_models_first_iterations_match_numpy(cats, model, dims, scale):
    X, Y, _, _ = cats
    parameters, costs = model(X, Y, dims, num_iterations=101)
    ref_parameters, ref_costs = ref.L_layer_model(X, Y, dims, 0.0075, 101, scale=scale)
    assert len(costs) == 2
    np.testing.assert_allclose(costs, [ref_costs[0], ref_costs[100]], rtol=RTOL)
    for name, value in ref_parameters.items():
        assert_close(parameters[name], value, name)


@pytest.mark.parametrize(
    "model, dims, published, accuracies",
    [
        (
            course.two_layer_model,
            [12288, 7, 1],
            {0: 0.6930497356599888, 100: 0.6464320953428849, 500: 0.5158304772764731, 1000: 0.33942815383664127,
             1500: 0.17448318112556652, 2000: 0.07439078704319087},
            (1.0, 0.72),
        ),
        (
            course.L_layer_model,
            [12288, 20, 7, 5, 1],
            {0: 0.7717493284237686, 100: 0.6720534400822914, 500: 0.5401376634547801, 800: 0.36912585249592794,
             900: 0.39174697434805344, 1000: 0.3151869888600617, 1500: 0.16118854665827748,
             2000: 0.1138206066863371},
            (0.9856459330143541, 0.8),
        ),
    ],
    ids=["two-layer", "L-layer"],
)
def test_the_models_reach_the_courses_published_costs_and_accuracies(cats, capsys, model, dims, published, accuracies):
    X, Y, test_x, test_y = cats
    parameters, costs = model(X, Y, dims, num_iterations=2500, print_cost=True)
    assert len(costs) == 25
    for iteration, cost in published.items():
        assert costs[iteration // 100] == pytest.approx(cost, rel=1e-8), iteration
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Cost after iteration 0: {costs[0]}"
    assert lines[-1].startswith("Cost after iteration 2499: ")
    assert len(lines) == 26
    train = course.predict(X, Y, parameters)
    test = course.predict(test_x, test_y, parameters)
    assert train.shape == (1, 209) and set(np.unique(train)) <= {0.0, 1.0}
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"Accuracy: {np.sum((train == Y) / 209)}", f"Accuracy: {np.sum((test == test_y) / 50)}"]
    assert np.mean(train == Y) == pytest.approx(accuracies[0], rel=RTOL)
    assert np.mean(test == test_y) == pytest.approx(accuracies[1], rel=RTOL)
    assert test.shape == (1, 50)


def test_bad_arguments_are_refused_with_a_message():
    parameters = course.initialize_parameters_deep([3, 2, 1], seed=1)
    with pytest.raises(ValueError, match=r"^shape mismatch for X \(features × examples\): expected \(3, 4\), found \(2, 4\)$"):
        course.L_model_forward(np.ones((2, 4)), parameters)
    with pytest.raises(ValueError, match=r"^no W1: expected the parameters W1, b1, W2, b2, …$"):
        course.L_model_forward(np.ones((3, 4)), {})
    with pytest.raises(ValueError, match=r"^no b2: expected the parameters W1, b1, W2, b2, …$"):
        course.L_model_forward(np.ones((3, 4)), {k: v for k, v in parameters.items() if k != "b2"})
    with pytest.raises(ValueError, match=r"^label at example 1 is 2, expected 0 or 1$"):
        course.compute_cost(np.array([[0.5, 0.5]]), np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match=r"^X must be 2-D \(rows × columns\), got shape \(3,\)$"):
        course.L_model_forward(np.ones(3), parameters)
    with pytest.raises(ValueError, match=r"^invalid learning rate 0: a finite number greater than 0$"):
        course.L_layer_model(np.ones((3, 4)), np.ones((1, 4)), [3, 2, 1], learning_rate=0.0, num_iterations=1)
