#!/usr/bin/env python3
"""Python peers for the mini-batch workloads of the `dnn` benchmarks (W6, W7).

    python minibatch.py WORKLOAD PEER [--repeat N] [--epochs N]

prints one JSON line, as bench/peers.py does: {"workload", "peer", "seconds": [...],
"final_cost", "train_accuracy", "epochs", ...}; "seconds" is the training loop alone, per
repeat, every repeat from the same initial parameters; "final_cost" is the last epoch's cost,
the course's: the sum over the epoch's mini-batches of their summed losses (each before that
batch's update) divided by m. A peer that cannot run prints a line with an "error" key.

Workloads (the course's mini-batches: epoch k shuffles with np.random.seed(S + 1 + k),
np.random.permutation(m), batches in that order, the last one smaller):
  W6  synthetic: seed 0, X = randn(784, 60000), Y = X[0] + X[1] > 0 (W5's data),
      [784, 256, 128, 1] ReLU/sigmoid, He init (randn * sqrt(2 / n_prev)) with seed 1, Adam
      (lr 0.001, betas 0.9 / 0.999, eps 1e-8), batches of 64 from shuffle seed S = 0, 1 epoch
  W7  the course's Optimization assignment: make_moons(300, noise .2) after np.random.seed(3),
      [2, 5, 2, 1] ReLU/sigmoid, He init with seed 3, Adam lr 0.0007, batches of 64 from
      shuffle seed S = 10, 10000 epochs (the course's final cost 0.1287… at epoch 9999)

Peers:
  numpy    the course's code (opt_utils_v1a: forward, summed cost, backward with
           dz = (1/m_b)(a - y), Adam with t per mini-batch), float64
  torch64 / torch32   a plain PyTorch loop: nn.Sequential of Linear and ReLU layers,
           BCEWithLogitsLoss (mean), loss.backward(), torch.optim.Adam, the same batches in the
           same order, float64 / float32, 2 threads
  sklearn  MLPClassifier(solver="adam", batch_size=64, alpha=0, max_iter=epochs) with its own
           initialisation and shuffle, so its cost differs; fit() is timed
  keras32 / keras64   Keras 3 on its PyTorch backend: Sequential Dense layers from the same
           initial weights, BinaryCrossentropy(from_logits=True), keras.optimizers.Adam, fit()
           on the examples in each epoch's order with shuffle=False (the same batches). Keras's
           Adam adds epsilon to the uncorrected sqrt(v), so its cost drifts from the others'
           slightly; its "final_cost" is fit()'s epoch loss
"""

import argparse
import json
import math
import os
import sys
import time
import warnings

import numpy as np

WORKLOADS = {
    "W6": dict(layers=[784, 256, 128, 1], seed=1, lr=0.001, batch=64, shuffle_seed=0, epochs=1, data="synthetic"),
    "W7": dict(layers=[2, 5, 2, 1], seed=3, lr=0.0007, batch=64, shuffle_seed=10, epochs=10000, data="moons"),
}
PEERS = ["numpy", "torch64", "torch32", "sklearn", "keras32", "keras64"]
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8


def load_data(kind):
    if kind == "synthetic":
        np.random.seed(0)
        X = np.random.randn(784, 60000)
        return X, (X[0] + X[1] > 0).astype(np.float64).reshape(1, -1)
    import sklearn.datasets

    np.random.seed(3)
    X, Y = sklearn.datasets.make_moons(n_samples=300, noise=0.2)
    return X.T.copy(), Y.reshape(1, -1).astype(np.float64)


def init_params(spec):
    """He initialisation, the course's way: np.random.seed(seed), W = randn * sqrt(2 / n_prev)."""
    layers = spec["layers"]
    np.random.seed(spec["seed"])
    return [(np.random.randn(layers[l], layers[l - 1]) * np.sqrt(2 / layers[l - 1]), np.zeros((layers[l], 1)))
            for l in range(1, len(layers))]


def permutations(m, spec, epochs):
    """The course's order of the examples, epoch by epoch."""
    out = []
    for k in range(epochs):
        np.random.seed(spec["shuffle_seed"] + 1 + k)
        out.append(np.random.permutation(m))
    return out


# --------------------------------------------------------------------------------------------
# numpy: the course's code


def np_forward(X, params):
    caches = [X]
    A = X
    for W, b in params[:-1]:
        A = np.maximum(0, np.dot(W, A) + b)
        caches.append(A)
    W, b = params[-1]
    return 1 / (1 + np.exp(-(np.dot(W, A) + b))), caches


def np_backward(AL, caches, Y, params):
    m = Y.shape[1]
    grads = [None] * len(params)
    dz = 1. / m * (AL - Y)
    for l in range(len(params) - 1, -1, -1):
        grads[l] = (np.dot(dz, caches[l].T), np.sum(dz, axis=1, keepdims=True))
        if l > 0:
            dz = np.multiply(np.dot(params[l][0].T, dz), np.int64(caches[l] > 0))
    return grads


def np_train(X, Y, params, spec, orders):
    params = [[W.copy(), b.copy()] for W, b in params]
    v = [[np.zeros_like(p) for p in layer] for layer in params]
    s = [[np.zeros_like(p) for p in layer] for layer in params]
    t, m, lr, size = 0, X.shape[1], spec["lr"], spec["batch"]
    cost = None
    for order in orders:
        total = 0.0
        Xs, Ys = X[:, order], Y[:, order]
        for start in range(0, m, size):
            bx, by = Xs[:, start:start + size], Ys[:, start:start + size]
            AL, caches = np_forward(bx, params)
            total += np.sum(np.multiply(-np.log(AL), by) + np.multiply(-np.log(1 - AL), 1 - by))
            grads = np_backward(AL, caches, by, params)
            t = t + 1
            for l in range(len(params)):
                for k in (0, 1):
                    g = grads[l][k]
                    v[l][k] = BETA1 * v[l][k] + (1 - BETA1) * g
                    vc = v[l][k] / (1 - BETA1 ** t)
                    s[l][k] = BETA2 * s[l][k] + (1 - BETA2) * np.square(g)
                    sc = s[l][k] / (1 - BETA2 ** t)
                    params[l][k] = params[l][k] - lr * vc / (np.sqrt(sc) + EPSILON)
        cost = total / m
    return params, cost


def run_numpy(spec, X, Y, init, orders, repeat):
    seconds, cost, params = [], None, None
    for _ in range(repeat):
        start = time.perf_counter()
        params, cost = np_train(X, Y, init, spec, orders)
        seconds.append(time.perf_counter() - start)
    AL, _ = np_forward(X, params)
    return seconds, float(cost), float(np.mean((AL > 0.5) == (Y > 0.5)))


# --------------------------------------------------------------------------------------------
# PyTorch: a plain training loop


def run_torch(spec, X, Y, init, orders, repeat, dtype_name):
    import torch

    torch.set_num_threads(2)
    dtype = getattr(torch, dtype_name)
    Xt = torch.from_numpy(np.ascontiguousarray(X.T)).to(dtype)
    Yt = torch.from_numpy(np.ascontiguousarray(Y.T)).to(dtype)
    m, size = X.shape[1], spec["batch"]
    batches = [[torch.from_numpy(order[k:k + size].astype(np.int64)) for k in range(0, m, size)] for order in orders]
    seconds, cost, model = [], None, None
    for _ in range(repeat):
        layers = []
        for l, (W, b) in enumerate(init):
            linear = torch.nn.Linear(W.shape[1], W.shape[0]).to(dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W))
                linear.bias.copy_(torch.from_numpy(b[:, 0]))
            layers.append(linear)
            if l + 1 < len(init):
                layers.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*layers)
        optimizer = torch.optim.Adam(model.parameters(), lr=spec["lr"], betas=(BETA1, BETA2), eps=EPSILON)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        start = time.perf_counter()
        for epoch in batches:
            total = 0.0
            for index in epoch:
                xb, yb = Xt[index], Yt[index]
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(index)
            cost = total / m
        seconds.append(time.perf_counter() - start)
    with torch.no_grad():
        accuracy = float(((model(Xt) > 0) == (Yt > 0.5)).to(torch.float64).mean())
    return seconds, float(cost), accuracy, {"torch": torch.__version__, "threads": torch.get_num_threads()}


# --------------------------------------------------------------------------------------------
# scikit-learn


def run_sklearn(spec, X, Y, epochs, repeat):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    seconds, model = [], None
    for _ in range(repeat):
        model = MLPClassifier(hidden_layer_sizes=tuple(spec["layers"][1:-1]), activation="relu", solver="adam",
                              alpha=0.0, batch_size=spec["batch"], learning_rate_init=spec["lr"], max_iter=epochs,
                              shuffle=True, random_state=spec["seed"], tol=0.0, n_iter_no_change=epochs + 1,
                              beta_1=BETA1, beta_2=BETA2, epsilon=EPSILON)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X.T, Y[0])
            seconds.append(time.perf_counter() - start)
    return seconds, float(model.loss_), float(model.score(X.T, Y[0])), {}


# --------------------------------------------------------------------------------------------
# Keras (PyTorch backend)


def run_keras(spec, X, Y, init, orders, repeat, dtype_name):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    import torch

    torch.set_num_threads(2)
    keras.config.set_floatx(dtype_name)
    Xt, Yt = np.ascontiguousarray(X.T).astype(dtype_name), np.ascontiguousarray(Y.T).astype(dtype_name)
    seconds, cost, model = [], None, None
    for _ in range(repeat):
        layers = [keras.Input((X.shape[0],))]
        for l, (W, _) in enumerate(init):
            layers.append(keras.layers.Dense(W.shape[0], activation="relu" if l + 1 < len(init) else None))
        model = keras.Sequential(layers)
        for layer, (W, b) in zip(model.layers, init):
            layer.set_weights([W.T.astype(dtype_name), b[:, 0].astype(dtype_name)])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=spec["lr"], beta_1=BETA1, beta_2=BETA2,
                                                      epsilon=EPSILON),
                      loss=keras.losses.BinaryCrossentropy(from_logits=True))
        epochs = [(Xt[order], Yt[order]) for order in orders]
        start = time.perf_counter()
        for xs, ys in epochs:
            history = model.fit(xs, ys, batch_size=spec["batch"], epochs=1, shuffle=False, verbose=0)
            cost = history.history["loss"][-1]
        seconds.append(time.perf_counter() - start)
    logits = model.predict(Xt, batch_size=4096, verbose=0)
    accuracy = float(np.mean((logits > 0) == (Yt > 0.5)))
    return seconds, float(cost), accuracy, {"keras": keras.__version__, "backend": keras.backend.backend()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("peer", choices=PEERS)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--epochs", type=int, help="epochs instead of the workload's")
    args = parser.parse_args(argv)
    spec = WORKLOADS[args.workload]
    epochs = args.epochs or spec["epochs"]
    result = {"workload": args.workload, "peer": args.peer, "epochs": epochs}
    try:
        X, Y = load_data(spec["data"])
        init = init_params(spec)
        orders = permutations(X.shape[1], spec, epochs)
        extra = {}
        if args.peer == "numpy":
            seconds, cost, accuracy = run_numpy(spec, X, Y, init, orders, args.repeat)
        elif args.peer.startswith("torch"):
            dtype_name = "float32" if args.peer == "torch32" else "float64"
            seconds, cost, accuracy, extra = run_torch(spec, X, Y, init, orders, args.repeat, dtype_name)
        elif args.peer.startswith("keras"):
            dtype_name = "float32" if args.peer == "keras32" else "float64"
            seconds, cost, accuracy, extra = run_keras(spec, X, Y, init, orders, args.repeat, dtype_name)
        else:
            seconds, cost, accuracy, extra = run_sklearn(spec, X, Y, epochs, args.repeat)
    except Exception as error:  # a peer that cannot run reports why, as peers.py does
        result["error"] = f"{type(error).__name__}: {error}"
        print(json.dumps(result), flush=True)
        return 0
    result.update(seconds=seconds, final_cost=cost, train_accuracy=accuracy, **extra)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
