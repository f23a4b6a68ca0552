#!/usr/bin/env python3
"""Python peers for the softmax workload of the `dnn` benchmarks (W8).

    python softmax.py W8 PEER [--repeat N] [--iterations N] [--data-dir DIR]
    python softmax.py W8 export --data-dir DIR

prints one JSON line, as bench/peers.py does: {"workload", "peer", "seconds": [...],
"final_cost", "train_accuracy", "iterations", ...}; "seconds" is the training loop alone, per
repeat, every repeat from the same initial parameters; "final_cost" is the cost of the last
iteration (computed before its update, as the course prints it).

W8: the SIGNS network, [12288, 25, 12, 6] ReLU/ReLU/softmax, He init (randn * sqrt(2 / n_prev),
np.random.seed(1), layers in order, b = 0), full-batch gradient descent, learning rate 0.001,
1500 iterations, on m = 1080 pictures of 64 x 64 x 3. The course's SIGNS training file
(1080 pictures) is not at hand, only its 120-picture test file: the 1080 pictures are those
120 pictures nine times over, each copy with every channel value moved by a seeded integer in
[-8, 8] (np.random.seed(0), randint, clipped to 0..255), so that no two columns are equal.
`export` writes them as DIR/w8_x.npy (uint8, 1080 x 64 x 64 x 3) and DIR/w8_y.npy (int64
labels 0..5), which `dnn train` reads and divides by 255 as it does every uint8 picture.

Peers (cost: -(1/m) * sum(Y * log softmax(Z3)) with the softmax's max subtracted):
  numpy          the course's code: L_model_forward, compute_cost, L_model_backward (dZ3 =
                 AL - Y; linear_backward computes dA_prev for every layer, dA0 included),
                 update_parameters; float64
  numpy-no-da0   the same without the unused dA0 = W1^T dZ1
  torch64 / torch32   the same maths with explicit PyTorch tensors (dA0 computed, as the
                 course's code does), 2 threads, float64 / float32
  torch64-no-da0 / torch32-no-da0   the same without dA0 (what autograd computes when X
                 does not require a gradient)
"""

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SIGNS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "signs", "test_signs.h5"))
LAYERS = [12288, 25, 12, 6]
LEARNING_RATE = 0.001
ITERATIONS = 1500
COPIES = 9
PEERS = ["numpy", "numpy-no-da0", "torch64", "torch32", "torch64-no-da0", "torch32-no-da0"]


def signs_pictures():
    """The 1080 pictures (uint8, m x 64 x 64 x 3) and their labels (int64, m)."""
    import h5py

    with h5py.File(SIGNS, "r") as f:
        x = np.array(f["test_set_x"][:])
        y = np.array(f["test_set_y"][:]).astype(np.int64)
    np.random.seed(0)
    copies = []
    for _ in range(COPIES):
        jitter = np.random.randint(-8, 9, size=x.shape)
        copies.append(np.clip(x.astype(np.int64) + jitter, 0, 255).astype(np.uint8))
    return np.concatenate(copies), np.tile(y, COPIES)


def export(data_dir):
    os.makedirs(data_dir, exist_ok=True)
    x, y = signs_pictures()
    x_path, y_path = os.path.join(data_dir, "w8_x.npy"), os.path.join(data_dir, "w8_y.npy")
    np.save(x_path, x)
    np.save(y_path, y)
    return {"workload": "W8", "peer": "export", "files": [x_path, y_path], "x_shape": list(x.shape),
            "classes": np.bincount(y).tolist()}


def load(data_dir):
    x = np.load(os.path.join(data_dir, "w8_x.npy"))
    y = np.load(os.path.join(data_dir, "w8_y.npy"))
    X = x.reshape(x.shape[0], -1).T / 255.
    Y = np.eye(LAYERS[-1])[y].T
    return X, Y, y


def init_params():
    np.random.seed(1)
    return [(np.random.randn(LAYERS[l], LAYERS[l - 1]) * np.sqrt(2 / LAYERS[l - 1]), np.zeros((LAYERS[l], 1)))
            for l in range(1, len(LAYERS))]


# --------------------------------------------------------------------------------------------
# numpy: the course's code with a softmax output


def relu(Z):
    return np.maximum(0, Z), Z


def softmax(Z):
    shifted = Z - np.max(Z, axis=0, keepdims=True)
    e = np.exp(shifted)
    total = np.sum(e, axis=0, keepdims=True)
    return e / total, shifted - np.log(total)


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        Z = np.dot(parameters["W" + str(l)], A_prev) + parameters["b" + str(l)]
        A, _ = relu(Z)
        caches.append((A_prev, parameters["W" + str(l)], Z))
    Z = np.dot(parameters["W" + str(L)], A) + parameters["b" + str(L)]
    AL, log_AL = softmax(Z)
    caches.append((A, parameters["W" + str(L)], Z))
    return AL, log_AL, caches


def compute_cost(log_AL, Y):
    m = Y.shape[1]
    return -(1. / m) * np.sum(Y * log_AL)


def linear_backward(dZ, A_prev, W, need_dA_prev):
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ) if need_dA_prev else None
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches, da0):
    grads = {}
    L = len(caches)
    A_prev, W, _ = caches[L - 1]
    dZ = AL - Y
    dA, grads["dW" + str(L)], grads["db" + str(L)] = linear_backward(dZ, A_prev, W, True)
    for l in reversed(range(L - 1)):
        A_prev, W, Z = caches[l]
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] = 0
        dA, grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = linear_backward(dZ, A_prev, W, l > 0 or da0)
    return grads


def update_parameters(parameters, grads, learning_rate):
    for l in range(len(parameters) // 2):
        parameters["W" + str(l + 1)] -= learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] -= learning_rate * grads["db" + str(l + 1)]
    return parameters


def run_numpy(X, Y, labels, iterations, repeat, da0):
    seconds = []
    for _ in range(repeat):
        parameters = {}
        for l, (W, b) in enumerate(init_params(), start=1):
            parameters["W" + str(l)], parameters["b" + str(l)] = W, b
        t0 = time.perf_counter()
        for _ in range(iterations):
            AL, log_AL, caches = L_model_forward(X, parameters)
            cost = compute_cost(log_AL, Y)
            grads = L_model_backward(AL, Y, caches, da0)
            parameters = update_parameters(parameters, grads, LEARNING_RATE)
        seconds.append(time.perf_counter() - t0)
    AL, _, _ = L_model_forward(X, parameters)
    return seconds, float(cost), float(np.mean(np.argmax(AL, axis=0) == labels))


# --------------------------------------------------------------------------------------------
# torch: the same maths with explicit tensors


def run_torch(X, Y, labels, iterations, repeat, da0, dtype):
    import torch

    torch.set_num_threads(2)
    Xt, Yt = torch.from_numpy(X).to(dtype), torch.from_numpy(Y).to(dtype)
    m = X.shape[1]
    seconds = []
    for _ in range(repeat):
        Ws = [torch.from_numpy(W).to(dtype) for W, _ in init_params()]
        bs = [torch.from_numpy(b).to(dtype) for _, b in init_params()]
        L = len(Ws)
        t0 = time.perf_counter()
        for _ in range(iterations):
            As, Zs = [Xt], []
            for l in range(L):
                Z = Ws[l] @ As[-1] + bs[l]
                Zs.append(Z)
                As.append(torch.relu(Z) if l < L - 1 else torch.softmax(Z, dim=0))
            cost = -(1. / m) * torch.sum(Yt * torch.log_softmax(Zs[-1], dim=0))
            dZ = As[-1] - Yt
            for l in reversed(range(L)):
                if l < L - 1:
                    dZ = torch.where(Zs[l] > 0, dA, 0.0)
                dW = 1. / m * (dZ @ As[l].T)
                db = 1. / m * torch.sum(dZ, dim=1, keepdim=True)
                if l > 0 or da0:
                    dA = Ws[l].T @ dZ
                Ws[l] = Ws[l] - LEARNING_RATE * dW
                bs[l] = bs[l] - LEARNING_RATE * db
        seconds.append(time.perf_counter() - t0)
    A = Xt
    for l in range(L):
        A = Ws[l] @ A + bs[l]
        A = torch.relu(A) if l < L - 1 else A
    accuracy = float((torch.argmax(A, dim=0).numpy() == labels).mean())
    return seconds, float(cost), accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=["W8"])
    parser.add_argument("peer", choices=PEERS + ["export"])
    parser.add_argument("--repeat", type=int, default=1, help="training runs to time (default 1)")
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument("--data-dir", required=True, help="the folder `export` writes and the peers read")
    args = parser.parse_args(argv)
    if args.peer == "export":
        print(json.dumps(export(args.data_dir)), flush=True)
        return 0
    result = {"workload": "W8", "peer": args.peer}
    try:
        X, Y, labels = load(args.data_dir)
        if args.peer.startswith("numpy"):
            seconds, cost, accuracy = run_numpy(X, Y, labels, args.iterations, args.repeat,
                                                da0=args.peer == "numpy")
        else:
            import torch

            dtype = torch.float32 if args.peer.startswith("torch32") else torch.float64
            seconds, cost, accuracy = run_torch(X, Y, labels, args.iterations, args.repeat,
                                                da0=not args.peer.endswith("no-da0"), dtype=dtype)
    except Exception as e:  # noqa: BLE001 - reported as the peer's error line
        result["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(result), flush=True)
        return 0
    result.update({"seconds": seconds, "final_cost": cost, "train_accuracy": accuracy,
                   "iterations": args.iterations})
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
