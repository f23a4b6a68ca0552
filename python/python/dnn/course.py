"""The course's functions, with the notebooks' names, arguments and shapes, computed by dnn.

From "Building your Deep Neural Network: Step by Step" and "Deep Neural Network for Image
Classification: Application" (course 1, week 4): X is n_x × m (one column per example),
Y is 1 × m, the parameters are a dict ``W1``, ``b1``, … of numpy float64 arrays with
``W[l]`` of shape n[l] × n[l−1] and ``b[l]`` of shape n[l] × 1; hidden layers are ReLU and the
output a sigmoid. A notebook can import these in place of its own and get the same numbers:

    from dnn.course import L_layer_model, predict
    parameters, costs = L_layer_model(train_x, train_y, [12288, 20, 7, 5, 1], num_iterations=2500,
                                      print_cost=True)
    predictions_test = predict(test_x, test_y, parameters)
"""

import numpy as np

from . import _native

__all__ = [
    "initialize_parameters",
    "initialize_parameters_deep",
    "L_model_forward",
    "compute_cost",
    "L_model_backward",
    "update_parameters",
    "predict",
    "two_layer_model",
    "L_layer_model",
]


def _matrix(array, name):
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows × columns), got shape {array.shape}")
    return array


def initialize_parameters(n_x, n_h, n_y, seed=1):
    """The two-layer model's initialisation: after ``np.random.seed(seed)``,
    ``W1 = np.random.randn(n_h, n_x) * 0.01``, ``W2 = np.random.randn(n_y, n_h) * 0.01``,
    zero biases."""
    return _native.initialize_parameters_deep([n_x, n_h, n_y], seed, "scaled:0.01")


def initialize_parameters_deep(layer_dims, seed=1, init="lecun"):
    """After ``np.random.seed(seed)``, ``W[l] = np.random.randn(n[l], n[l−1])`` divided by
    ``np.sqrt(n[l−1])`` (``init="lecun"``, the application's) or times 0.01
    (``init="scaled:0.01"``, the step-by-step notebook's); zero biases."""
    return _native.initialize_parameters_deep(list(layer_dims), seed, init)


def L_model_forward(X, parameters):
    """``(AL, caches)``: the sigmoid output AL (1 × m) and, for each layer, the cache
    ``((A_prev, W, b), Z)``."""
    return _native.l_model_forward(_matrix(X, "X"), parameters)


def compute_cost(AL, Y):
    """The cross-entropy cost ``−(1/m)·Σ (Y·log(AL) + (1 − Y)·log(1 − AL))``."""
    return _native.compute_cost(_matrix(AL, "AL"), _matrix(Y, "Y"))


def L_model_backward(AL, Y, caches):
    """The gradients ``dA{l−1}``, ``dW{l}``, ``db{l}`` for every layer l."""
    return _native.l_model_backward(_matrix(AL, "AL"), _matrix(Y, "Y"), list(caches))


def update_parameters(params, grads, learning_rate):
    """One step of gradient descent: new parameters ``W[l] − α·dW[l]``, ``b[l] − α·db[l]``."""
    return _native.update_parameters(params, grads, learning_rate)


def predict(X, y, parameters):
    """The predictions ``p`` (1 × m, 1 where AL > 0.5), printing ``Accuracy: …`` as the
    course does."""
    p = _native.predict(_matrix(X, "X"), parameters)
    print("Accuracy: " + str(np.sum((p == y) / X.shape[1])))
    return p


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False, seed=1):
    """LINEAR → RELU → LINEAR → SIGMOID, initialised as ``initialize_parameters`` after
    ``np.random.seed(seed)``, trained by batch gradient descent. Returns
    ``(parameters, costs)`` with the cost of every 100th iteration."""
    n_x, n_h, n_y = layers_dims
    return _native.train_model(
        _matrix(X, "X"), _matrix(Y, "Y"), [n_x, n_h, n_y], learning_rate, num_iterations, print_cost,
        "scaled:0.01", seed,
    )


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False, seed=1):
    """[LINEAR → RELU] × (L−1) → LINEAR → SIGMOID, initialised as
    ``initialize_parameters_deep`` after ``np.random.seed(seed)``, trained by batch gradient
    descent. Returns ``(parameters, costs)`` with the cost of every 100th iteration."""
    return _native.train_model(
        _matrix(X, "X"), _matrix(Y, "Y"), list(layers_dims), learning_rate, num_iterations, print_cost, "lecun", seed,
    )
