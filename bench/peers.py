#!/usr/bin/env python3
"""Python peers for the `dnn` benchmarks.

    python peers.py WORKLOAD PEER [--repeat N] [--data-dir DIR] [--iterations N]
    python peers.py W5 export --data-dir DIR

runs one workload with one peer and prints one JSON line:

    {"workload": "W3", "peer": "numpy", "seconds": [...], "final_cost": 0.0884...,
     "train_accuracy": 0.9856..., "iterations": 2500, "blas": [...], ...}

"seconds" holds, for each repeat, the wall time of the training loop alone: data loading,
conversion to tensors and parameter initialisation happen before the clock starts, and the
final accuracy is computed after it stops. Every repeat starts from the same initial
parameters. "final_cost" is the cost computed in the last iteration (before its update, as
the course prints "Cost after iteration 2499"). "blas" lists the BLAS libraries loaded in the
process (threadpoolctl), with the kernel they chose and the OPENBLAS_CORETYPE /
OPENBLAS_L2_SIZE values the process saw. A peer that cannot run prints a line with an
"error" key instead (exit status 0).

Workloads (full-batch gradient descent, cost computed every iteration):
  W1  logistic regression on the course's cat pictures (12288 x 209), w = b = 0,
      lr 0.005, 2000 iterations
  W2  [12288, 7, 1] ReLU/sigmoid, seed 1, weights randn * 0.01, lr 0.0075, 2500 iterations
  W3  [12288, 20, 7, 5, 1] ReLU/sigmoid, seed 1, weights randn / sqrt(n_prev), lr 0.0075,
      2500 iterations (the course ends at cost 0.08843994344170202)
  W4  planar flower (400 points), [2, 4, 1] tanh/sigmoid, seed 2, weights randn * 0.01,
      lr 1.2, 10000 iterations (cost 0.6930480201239823 at iteration 0)
  W5  synthetic: seed 0, X = randn(784, 60000), Y = X[0] + X[1] > 0, [784, 256, 128, 1]
      ReLU/sigmoid, He init (randn * sqrt(2 / n_prev)) with seed 1, lr 0.01, 50 iterations
  I3  single-example inference: W3's model (its initial parameters) predicting the first
      cat training picture, back to back. Instead of "seconds" the line has "micros": the
      median of 300 samples of 20 predictions (after 200 warm-up calls), per prediction.
      numpy runs the course's L_model_forward, torch the same forward under no_grad, and
      sklearn MLPClassifier.predict_proba with W3's weights set as its coefs_.

Peers:
  numpy            the course's code in float64; like the course it computes dA_prev for
                   every layer, dA0 (the gradient with respect to X) included
  numpy-no-da0     the same, without dA0
  torch64/torch32  a hand-written PyTorch loop with explicit tensors (no autograd, no
                   nn.Module) doing the same maths as `numpy` (dA0 included), float64 /
                   float32, 2 threads, under torch.no_grad()
  torch64-no-da0, torch32-no-da0   the same without dA0
  sklearn          MLPClassifier, solver 'sgd' with batch_size = m, no momentum, no
                   regularisation: full-batch gradient descent on the same architecture,
                   with scikit-learn's own initialisation (so its cost differs); fit() is
                   timed, which includes its input checks and initialisation

W1 and W4 have no dA0 in the course's code (logistic regression; the planar network computes
dW1 straight from dZ1), so there the -no-da0 peers do exactly what the others do.

Data: W1-W3 read train_catvnoncat.h5 from --data-dir (default: the catvnoncat folder of the
shared data next to the repository, ../shared/data/catvnoncat from its root). W4 and W5 are
generated. `W5 export --data-dir DIR` writes DIR/w5_x.npy (60000 x 784, one example per
row, float64) and DIR/w5_y.npy (60000, float64) for the Rust side.
"""

import argparse
import json
import math
import os
import sys
import time
import warnings

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CAT_DIR = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data", "catvnoncat"))

WORKLOADS = {
    "W1": dict(model="logreg", layers=[12288, 1], lr=0.005, iterations=2000, data="cat"),
    "W2": dict(model="deep", layers=[12288, 7, 1], hidden="relu", init="scaled", seed=1,
               lr=0.0075, iterations=2500, data="cat"),
    "W3": dict(model="deep", layers=[12288, 20, 7, 5, 1], hidden="relu", init="lecun", seed=1,
               lr=0.0075, iterations=2500, data="cat"),
    "W4": dict(model="planar", layers=[2, 4, 1], hidden="tanh", init="scaled", seed=2,
               lr=1.2, iterations=10000, data="planar"),
    "W5": dict(model="deep", layers=[784, 256, 128, 1], hidden="relu", init="he", seed=1,
               lr=0.01, iterations=50, data="synthetic"),
    "I3": dict(model="deep", layers=[12288, 20, 7, 5, 1], hidden="relu", init="lecun", seed=1,
               data="cat", inference=True),
}
INFERENCE_SAMPLES = 300
INFERENCE_CALLS_PER_SAMPLE = 20
INFERENCE_WARM_UP = 200
PEERS = ["numpy", "numpy-no-da0", "torch64", "torch32", "torch64-no-da0", "torch32-no-da0",
         "sklearn"]


# --------------------------------------------------------------------------------------------
# Data


def load_cat(data_dir):
    import h5py

    path = os.path.join(data_dir, "train_catvnoncat.h5")
    with h5py.File(path, "r") as f:
        x_orig = np.array(f["train_set_x"][:])
        y_orig = np.array(f["train_set_y"][:])
    X = x_orig.reshape(x_orig.shape[0], -1).T / 255.0
    Y = y_orig.reshape(1, y_orig.shape[0]).astype(np.float64)
    return X, Y


def load_planar():
    """The course's load_planar_dataset (labels as float64 instead of uint8)."""
    np.random.seed(1)
    m = 400
    N = int(m / 2)
    D = 2
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype="uint8")
    a = 4
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T.astype(np.float64)


def load_synthetic():
    np.random.seed(0)
    X = np.random.randn(784, 60000)
    Y = (X[0] + X[1] > 0).astype(np.float64).reshape(1, -1)
    return X, Y


def load_data(workload, data_dir):
    kind = WORKLOADS[workload]["data"]
    if kind == "cat":
        return load_cat(data_dir or DEFAULT_CAT_DIR)
    if kind == "planar":
        return load_planar()
    return load_synthetic()


# --------------------------------------------------------------------------------------------
# Initial parameters (numpy float64; the torch peers convert them)


def init_params(spec):
    """List of (W, b) per layer. Logistic regression: w (n, 1) and scalar b, both zero."""
    layers = spec["layers"]
    if spec["model"] == "logreg":
        return [(np.zeros((layers[0], 1)), 0.0)]
    np.random.seed(spec["seed"])
    params = []
    for l in range(1, len(layers)):
        n, n_prev = layers[l], layers[l - 1]
        W = np.random.randn(n, n_prev)
        if spec["init"] == "scaled":
            W = W * 0.01
        elif spec["init"] == "lecun":
            W = W / np.sqrt(n_prev)
        elif spec["init"] == "he":
            W = W * np.sqrt(2.0 / n_prev)
        else:
            raise ValueError(spec["init"])
        params.append((W, np.zeros((n, 1))))
    return params


# --------------------------------------------------------------------------------------------
# numpy: the course's code


def np_sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    cache = Z
    return A, cache


def np_relu(Z):
    A = np.maximum(0, Z)
    cache = Z
    return A, cache


def np_relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def np_sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ


def np_linear_forward(A, W, b):
    Z = W.dot(A) + b
    cache = (A, W, b)
    return Z, cache


def np_linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = np_linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = np_sigmoid(Z)
    else:
        A, activation_cache = np_relu(Z)
    cache = (linear_cache, activation_cache)
    return A, cache


def np_L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = np_linear_activation_forward(
            A_prev, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = np_linear_activation_forward(
        A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def np_compute_cost(AL, Y):
    m = Y.shape[1]
    cost = (1. / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    cost = np.squeeze(cost)
    return cost


def np_linear_backward(dZ, cache, need_dA_prev=True):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ) if need_dA_prev else None
    return dA_prev, dW, db


def np_linear_activation_backward(dA, cache, activation, need_dA_prev=True):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = np_relu_backward(dA, activation_cache)
    else:
        dZ = np_sigmoid_backward(dA, activation_cache)
    return np_linear_backward(dZ, linear_cache, need_dA_prev)


def np_L_model_backward(AL, Y, caches, da0=True):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    dA_prev_temp, dW_temp, db_temp = np_linear_activation_backward(
        dAL, current_cache, "sigmoid", need_dA_prev=da0 or L > 1)
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = np_linear_activation_backward(
            grads["dA" + str(l + 1)], current_cache, "relu", need_dA_prev=da0 or l > 0)
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads


def np_update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


def np_deep_model(X, Y, parameters, learning_rate, num_iterations, da0):
    cost = None
    for i in range(0, num_iterations):
        AL, caches = np_L_model_forward(X, parameters)
        cost = np_compute_cost(AL, Y)
        grads = np_L_model_backward(AL, Y, caches, da0)
        parameters = np_update_parameters(parameters, grads, learning_rate)
    return parameters, cost


def np_deep_predict(X, parameters):
    AL, _ = np_L_model_forward(X, parameters)
    return (AL > 0.5).astype(np.float64)


def np_logreg_propagate(w, b, X, Y):
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    cost = np.squeeze(np.array(cost))
    return {"dw": dw, "db": db}, cost


def np_logreg_optimize(w, b, X, Y, num_iterations, learning_rate):
    cost = None
    for i in range(num_iterations):
        grads, cost = np_logreg_propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
    return w, b, cost


def np_planar_forward(X, parameters):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = 1 / (1 + np.exp(-Z2))
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def np_planar_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = - np.sum(logprobs) / m
    cost = float(np.squeeze(cost))
    return cost


def np_planar_backward(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def np_planar_update(parameters, grads, learning_rate):
    W1 = parameters["W1"] - learning_rate * grads["dW1"]
    b1 = parameters["b1"] - learning_rate * grads["db1"]
    W2 = parameters["W2"] - learning_rate * grads["dW2"]
    b2 = parameters["b2"] - learning_rate * grads["db2"]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def np_planar_model(X, Y, parameters, learning_rate, num_iterations):
    cost = None
    for i in range(0, num_iterations):
        A2, cache = np_planar_forward(X, parameters)
        cost = np_planar_cost(A2, Y)
        grads = np_planar_backward(parameters, cache, X, Y)
        parameters = np_planar_update(parameters, grads, learning_rate)
    return parameters, cost


def run_numpy(spec, X, Y, init, iterations, repeat, da0):
    seconds, cost, predict = [], None, None
    for _ in range(repeat):
        if spec["model"] == "logreg":
            (w, b), = init
            w = w.copy()
            t0 = time.perf_counter()
            w, b, cost = np_logreg_optimize(w, b, X, Y, iterations, spec["lr"])
            seconds.append(time.perf_counter() - t0)
            predict = lambda X, w=w, b=b: (1 / (1 + np.exp(-(np.dot(w.T, X) + b))) > 0.5)
        else:
            parameters = {}
            for l, (W, b) in enumerate(init, start=1):
                parameters["W" + str(l)] = W.copy()
                parameters["b" + str(l)] = b.copy()
            if spec["model"] == "planar":
                t0 = time.perf_counter()
                parameters, cost = np_planar_model(X, Y, parameters, spec["lr"], iterations)
                seconds.append(time.perf_counter() - t0)
                predict = lambda X, p=parameters: np_planar_forward(X, p)[0] > 0.5
            else:
                t0 = time.perf_counter()
                parameters, cost = np_deep_model(X, Y, parameters, spec["lr"], iterations, da0)
                seconds.append(time.perf_counter() - t0)
                predict = lambda X, p=parameters: np_deep_predict(X, p)
    accuracy = float(np.mean(predict(X).astype(np.float64) == Y))
    return seconds, float(cost), accuracy


# --------------------------------------------------------------------------------------------
# torch: the same maths with explicit tensors


def run_torch(spec, X, Y, init, iterations, repeat, da0, dtype_name):
    import torch

    torch.set_num_threads(2)
    dtype = torch.float64 if dtype_name == "float64" else torch.float32
    Xt = torch.from_numpy(X).to(dtype)
    Yt = torch.from_numpy(Y).to(dtype)
    m = X.shape[1]
    lr = spec["lr"]

    def cost_of(AL):
        return (1. / m) * (-(Yt @ torch.log(AL).T) - ((1 - Yt) @ torch.log(1 - AL).T)).squeeze()

    def train_logreg(w, b):
        cost = None
        for _ in range(iterations):
            A = torch.sigmoid(w.T @ Xt + b)
            cost = -1 / m * torch.sum(Yt * torch.log(A) + (1 - Yt) * torch.log(1 - A))
            dw = 1 / m * (Xt @ (A - Yt).T)
            db = 1 / m * torch.sum(A - Yt)
            w = w - lr * dw
            b = b - lr * db
        return (w, b), cost

    def forward_deep(Ws, bs):
        A = Xt
        Zs, As = [], [Xt]
        L = len(Ws)
        for l in range(L):
            Z = Ws[l] @ A + bs[l]
            A = torch.sigmoid(Z) if l == L - 1 else torch.relu(Z)
            Zs.append(Z)
            As.append(A)
        return A, Zs, As

    def train_deep(Ws, bs):
        cost = None
        L = len(Ws)
        for _ in range(iterations):
            AL, Zs, As = forward_deep(Ws, bs)
            cost = cost_of(AL)
            dA = -(Yt / AL - (1 - Yt) / (1 - AL))
            new_Ws, new_bs = [None] * L, [None] * L
            for l in reversed(range(L)):
                Z = Zs[l]
                if l == L - 1:
                    s = torch.sigmoid(Z)
                    dZ = dA * s * (1 - s)
                else:
                    dZ = torch.where(Z > 0, dA, 0.0)
                dW = 1. / m * (dZ @ As[l].T)
                db = 1. / m * torch.sum(dZ, dim=1, keepdim=True)
                if l > 0 or da0:
                    dA = Ws[l].T @ dZ
                new_Ws[l] = Ws[l] - lr * dW
                new_bs[l] = bs[l] - lr * db
            Ws, bs = new_Ws, new_bs
        return (Ws, bs), cost

    def forward_planar(Ws, bs):
        A1 = torch.tanh(Ws[0] @ Xt + bs[0])
        A2 = torch.sigmoid(Ws[1] @ A1 + bs[1])
        return A1, A2

    def train_planar(Ws, bs):
        cost = None
        W1, W2 = Ws
        b1, b2 = bs
        for _ in range(iterations):
            A1, A2 = forward_planar([W1, W2], [b1, b2])
            logprobs = torch.log(A2) * Yt + torch.log(1 - A2) * (1 - Yt)
            cost = -torch.sum(logprobs) / m
            dZ2 = A2 - Yt
            dW2 = (1 / m) * (dZ2 @ A1.T)
            db2 = (1 / m) * torch.sum(dZ2, dim=1, keepdim=True)
            dZ1 = (W2.T @ dZ2) * (1 - torch.pow(A1, 2))
            dW1 = (1 / m) * (dZ1 @ Xt.T)
            db1 = (1 / m) * torch.sum(dZ1, dim=1, keepdim=True)
            W1 = W1 - lr * dW1
            b1 = b1 - lr * db1
            W2 = W2 - lr * dW2
            b2 = b2 - lr * db2
        return ([W1, W2], [b1, b2]), cost

    seconds, cost, final = [], None, None
    with torch.no_grad():
        for _ in range(repeat):
            if spec["model"] == "logreg":
                (w, b), = init
                args = (torch.from_numpy(w).to(dtype).clone(), torch.tensor(b, dtype=dtype))
                train = train_logreg
            else:
                args = ([torch.from_numpy(W).to(dtype).clone() for W, _ in init],
                        [torch.from_numpy(b).to(dtype).clone() for _, b in init])
                train = train_planar if spec["model"] == "planar" else train_deep
            t0 = time.perf_counter()
            final, cost = train(*args)
            seconds.append(time.perf_counter() - t0)

        if spec["model"] == "logreg":
            w, b = final
            out = torch.sigmoid(w.T @ Xt + b)
        elif spec["model"] == "planar":
            out = forward_planar(*final)[1]
        else:
            out = forward_deep(*final)[0]
        accuracy = float(((out > 0.5).to(dtype) == Yt).to(torch.float64).mean())
    extra = {"torch": {"version": torch.__version__, "threads": torch.get_num_threads(),
                       "dtype": dtype_name}}
    return seconds, float(cost), accuracy, extra


# --------------------------------------------------------------------------------------------
# scikit-learn


def run_sklearn(spec, X, Y, iterations, repeat):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    hidden = tuple(spec["layers"][1:-1])
    activation = spec.get("hidden", "relu")
    Xs = np.ascontiguousarray(X.T)
    ys = Y.ravel().astype(np.int64)
    m = Xs.shape[0]
    seconds, clf = [], None
    for _ in range(repeat):
        clf = MLPClassifier(hidden_layer_sizes=hidden, activation=activation, solver="sgd",
                            learning_rate="constant", learning_rate_init=spec["lr"],
                            batch_size=m, momentum=0.0, nesterovs_momentum=False, alpha=0.0,
                            max_iter=iterations, shuffle=False, tol=0.0,
                            n_iter_no_change=10**9, early_stopping=False, random_state=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            clf.fit(Xs, ys)
            seconds.append(time.perf_counter() - t0)
    import sklearn

    extra = {"sklearn": {"version": sklearn.__version__, "n_iter": int(clf.n_iter_),
                         "hidden_layer_sizes": list(hidden)}}
    return seconds, float(clf.loss_), float(clf.score(Xs, ys)), extra


# --------------------------------------------------------------------------------------------
# Single-example inference


def median_micros(predict):
    """Median time of one call of `predict()`, in microseconds (see INFERENCE_*)."""
    for _ in range(INFERENCE_WARM_UP):
        predict()
    samples = []
    for _ in range(INFERENCE_SAMPLES):
        t0 = time.perf_counter()
        for _ in range(INFERENCE_CALLS_PER_SAMPLE):
            predict()
        samples.append((time.perf_counter() - t0) / INFERENCE_CALLS_PER_SAMPLE * 1e6)
    samples.sort()
    return samples[len(samples) // 2]


def run_inference(peer, x, init):
    """Median microseconds of one prediction of W3's model on x (n_x x 1), and its output."""
    if peer.startswith("numpy"):
        parameters = {}
        for l, (W, b) in enumerate(init, start=1):
            parameters["W" + str(l)], parameters["b" + str(l)] = W, b
        output = np_L_model_forward(x, parameters)[0]
        return median_micros(lambda: np_L_model_forward(x, parameters)), float(output[0, 0])
    if peer.startswith("torch"):
        import torch

        torch.set_num_threads(2)
        dtype = torch.float32 if peer.startswith("torch32") else torch.float64
        Ws = [torch.from_numpy(W).to(dtype) for W, _ in init]
        bs = [torch.from_numpy(b).to(dtype) for _, b in init]
        xt = torch.from_numpy(x).to(dtype)

        def forward():
            with torch.no_grad():
                A = xt
                for l in range(len(Ws)):
                    Z = Ws[l] @ A + bs[l]
                    A = torch.sigmoid(Z) if l == len(Ws) - 1 else torch.relu(Z)
                return A

        return median_micros(forward), float(forward()[0, 0])
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    layers = [W.shape[0] for W, _ in init[:-1]]
    clf = MLPClassifier(hidden_layer_sizes=tuple(layers), activation="relu", max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(np.vstack([x.T, x.T]), np.array([0, 1]))
    clf.coefs_ = [np.ascontiguousarray(W.T) for W, _ in init]
    clf.intercepts_ = [b.ravel().copy() for _, b in init]
    row = np.ascontiguousarray(x.T)
    return median_micros(lambda: clf.predict_proba(row)), float(clf.predict_proba(row)[0, 1])


# --------------------------------------------------------------------------------------------


def blas_info():
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    libs = []
    if threadpool_info is not None:
        for lib in threadpool_info():
            if lib.get("user_api") != "blas":
                continue
            libs.append({k: lib.get(k) for k in ("internal_api", "version", "architecture",
                                                 "num_threads", "threading_layer", "filepath")})
    else:
        try:
            cfg = np.show_config(mode="dicts")
            blas = cfg["Build Dependencies"]["blas"]
            libs.append({"internal_api": blas.get("name"), "version": blas.get("version"),
                         "source": "numpy.show_config"})
        except Exception as e:  # noqa: BLE001 - best effort only
            libs.append({"error": f"no threadpoolctl and numpy.show_config failed: {e}"})
    return {"libraries": libs, "env": env, "numpy": np.__version__}


def export_w5(data_dir):
    if not data_dir:
        raise SystemExit("W5 export needs --data-dir DIR")
    os.makedirs(data_dir, exist_ok=True)
    X, Y = load_synthetic()
    x_path = os.path.join(data_dir, "w5_x.npy")
    y_path = os.path.join(data_dir, "w5_y.npy")
    np.save(x_path, np.ascontiguousarray(X.T))
    np.save(y_path, Y.reshape(-1).astype(np.float64))
    return {"workload": "W5", "peer": "export", "files": [x_path, y_path],
            "x_shape": [X.shape[1], X.shape[0]], "y_shape": [Y.shape[1]],
            "positives": float(Y.sum())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("peer", choices=PEERS + ["export"])
    parser.add_argument("--repeat", type=int, default=1, help="training runs to time (default 1)")
    parser.add_argument("--data-dir", default=None,
                        help=f"folder of train_catvnoncat.h5 (default {DEFAULT_CAT_DIR}); "
                             "for `W5 export`, the output folder")
    parser.add_argument("--iterations", type=int, default=None,
                        help="override the workload's iteration count")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.iterations is not None and args.iterations < 1:
        parser.error("--iterations must be at least 1")

    if args.peer == "export":
        if args.workload != "W5":
            parser.error("only W5 can be exported")
        print(json.dumps(export_w5(args.data_dir)), flush=True)
        return 0

    spec = WORKLOADS[args.workload]
    iterations = args.iterations or spec.get("iterations")
    result = {"workload": args.workload, "peer": args.peer}

    def fail(message):
        result["error"] = message
        result["blas"] = blas_info()
        print(json.dumps(result), flush=True)
        return 0

    if args.peer.startswith("torch"):
        try:
            import torch  # noqa: F401
        except Exception as e:  # noqa: BLE001 - ImportError, OSError from missing libraries, ...
            return fail(f"PyTorch is not available: {type(e).__name__}: {e}")
    if args.peer == "sklearn":
        try:
            import sklearn  # noqa: F401
        except Exception as e:  # noqa: BLE001
            return fail(f"scikit-learn is not available: {type(e).__name__}: {e}")

    try:
        X, Y = load_data(args.workload, args.data_dir)
    except (OSError, ImportError, KeyError) as e:
        return fail(f"could not load the data: {type(e).__name__}: {e}")
    init = init_params(spec)

    if spec.get("inference"):
        micros, output = run_inference(args.peer, X[:, :1], init)
        result.update({"micros": micros, "output": output, "blas": blas_info()})
        print(json.dumps(result), flush=True)
        return 0

    extra = {}
    if args.peer in ("numpy", "numpy-no-da0"):
        seconds, cost, accuracy = run_numpy(spec, X, Y, init, iterations, args.repeat,
                                            da0=args.peer == "numpy")
    elif args.peer.startswith("torch"):
        dtype_name = "float32" if args.peer.startswith("torch32") else "float64"
        seconds, cost, accuracy, extra = run_torch(spec, X, Y, init, iterations, args.repeat,
                                                   da0=not args.peer.endswith("no-da0"),
                                                   dtype_name=dtype_name)
    else:
        seconds, cost, accuracy, extra = run_sklearn(spec, X, Y, iterations, args.repeat)

    result.update({"seconds": seconds, "final_cost": cost,
                   "train_accuracy": accuracy if math.isfinite(accuracy) else None,
                   "iterations": iterations})
    result.update(extra)
    result["blas"] = blas_info()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
