"""The course's numpy code for a deep network (week 4), written out as the notebooks have it:
the reference dnn.course is compared with. Each function is the notebook's formula, no more."""

import numpy as np


def initialize_parameters_deep(layer_dims, seed, scale=None):
    """``np.random.seed(seed)``, then W[l] = randn(n[l], n[l−1]) / sqrt(n[l−1]) (or × scale)."""
    np.random.seed(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        W = np.random.randn(layer_dims[l], layer_dims[l - 1])
        parameters["W" + str(l)] = W * scale if scale is not None else W / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        A_prev = A
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        Z = np.dot(W, A_prev) + b
        A = 1 / (1 + np.exp(-Z)) if l == L else np.maximum(0, Z)
        caches.append(((A_prev, W, b), Z))
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = (1.0 / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    return float(np.squeeze(cost))


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1.0 / m * np.dot(dZ, A_prev.T)
    db = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    linear_cache, Z = caches[L - 1]
    s = 1 / (1 + np.exp(-Z))
    dZ = dAL * s * (1 - s)
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_backward(dZ, linear_cache)
    for l in reversed(range(L - 1)):
        linear_cache, Z = caches[l]
        dZ = np.array(grads["dA" + str(l + 1)], copy=True)
        dZ[Z <= 0] = 0
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = linear_backward(dZ, linear_cache)
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    return {
        name: parameters[name] - learning_rate * grads["d" + name]
        for l in range(1, L + 1)
        for name in ("W" + str(l), "b" + str(l))
    }


def L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, seed=1, scale=None):
    """The costs of every iteration of the course's loop (not only every 100th)."""
    parameters = initialize_parameters_deep(layers_dims, seed, scale)
    costs = []
    for _ in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        costs.append(compute_cost(AL, Y))
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs
