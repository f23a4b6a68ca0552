#!/usr/bin/env python3
"""Side-by-side benchmark of `dnn` against numpy, PyTorch and scikit-learn.

    bash bench/run.sh [--repeat 3] [--workloads W1,W2,W3,W4,W5,W6,W7,W8,I3] [--peers numpy,torch32,...]
                      [--minibatch-peers numpy,torch32,...] [--w5-iterations 10] [--markdown FILE]

For every workload, dnn (f64 and f32) and each peer run alternately, `--repeat` rounds, each
run in a fresh process; the training loop alone is timed (dnn reports it as "seconds" of
`dnn train --json`, peers.py the same way). The table shows medians, seconds per run, and
each peer's median divided by dnn's of the same precision (f64 peers against dnn f64, f32
peers against dnn f32). Costs are printed beside so that equal work can be checked. Above the
table, each peer's time is also divided by dnn f32's of the same round, round by round (the
figure the mini-batch targets are stated in, measured close together in time).

A matrix-product peak is measured in the same run: numpy's float64 and PyTorch's float32
2048 x 2048 products on 2 threads, and W5's achieved rate is given against it.

Workloads W6 and W7 train with mini-batches and Adam (bench/minibatch.py describes them and
their peers, which include Keras on its PyTorch backend); W8 is the SIGNS softmax network,
full-batch (bench/softmax.py); W1-W5 are full-batch gradient descent (bench/peers.py).

Workload I3 is single-example inference with W3's model (`cargo bench --bench inference` for
dnn, `peers.py I3 PEER` for the others): its table gives the median microseconds per
prediction and the prediction itself.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DNN = os.path.join(ROOT, "target", "release", "dnn")
CAT = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "catvnoncat"))

# dnn's flags for each workload (the same models as bench/peers.py).
DNN_ARGS = {
    "W1": [f"{CAT}/train_catvnoncat.h5", "--layers", "", "--init", "zeros", "--learning-rate", "0.005",
           "--iterations", "2000"],
    "W2": [f"{CAT}/train_catvnoncat.h5", "--layers", "7", "--hidden-activation", "relu", "--init", "scaled:0.01",
           "--seed", "1", "--learning-rate", "0.0075", "--iterations", "2500"],
    "W3": [f"{CAT}/train_catvnoncat.h5", "--layers", "20,7,5", "--hidden-activation", "relu", "--init", "lecun",
           "--seed", "1", "--learning-rate", "0.0075", "--iterations", "2500"],
    "W4": ["builtin:planar", "--layers", "4", "--hidden-activation", "tanh", "--init", "scaled:0.01", "--seed", "2",
           "--learning-rate", "1.2", "--iterations", "10000"],
    "W5": ["{data}/w5_x.npy", "--scale", "none", "--layers", "256,128", "--hidden-activation", "relu", "--init",
           "he", "--seed", "1", "--learning-rate", "0.01", "--iterations", "{iterations}"],
    "W6": ["{data}/w5_x.npy", "--scale", "none", "--layers", "256,128", "--hidden-activation", "relu", "--init",
           "he", "--seed", "1", "--optimizer", "adam", "--learning-rate", "0.001", "--batch-size", "64",
           "--shuffle-seed", "0", "--epochs", "1"],
    "W8": ["{data}/w8_x.npy", "--layers", "25,12", "--hidden-activation", "relu", "--init", "he", "--seed", "1",
           "--learning-rate", "0.001", "--iterations", "1500"],
    "W7": ["builtin:optim-moons", "--layers", "5,2", "--hidden-activation", "relu", "--init", "he", "--seed", "3",
           "--optimizer", "adam", "--learning-rate", "0.0007", "--batch-size", "64", "--shuffle-seed", "10",
           "--epochs", "10000"],
}
# The mini-batch workloads' peers (bench/minibatch.py). W7 runs 50000 tiny steps, where a
# PyTorch or Keras step costs milliseconds: only the course's numpy code runs it by default.
MINIBATCH_PEERS = {"W6": "numpy,torch64,torch32,sklearn,keras32", "W7": "numpy"}
# The softmax workload's peers (bench/softmax.py).
SOFTMAX_PEERS = "numpy,numpy-no-da0,torch64,torch32,torch64-no-da0"
# Multiply-adds of one W5 iteration: forward W·A for each layer, dW for each layer, and dA
# for layers 2 and 3 (dnn never computes dA0).
W5_M = 60000
W5_FLOPS = 2 * W5_M * (3 * (784 * 256 + 256 * 128 + 128) - 784 * 256)


def run_json(command, env=None):
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"error": (out.stderr or out.stdout).strip()[-300:]}
    return json.loads(lines[-1])


def run_dnn(workload, dtype, data_dir, w5_iterations):
    args = [a.format(data=data_dir, iterations=w5_iterations) for a in DNN_ARGS[workload]]
    result = run_json([DNN, "train", *args, "--dtype", dtype, "--json", "--quiet"])
    if "error" in result:
        return result
    return {"seconds": [result["seconds"]], "final_cost": result["final_cost"]}


def run_dnn_inference():
    command = ["cargo", "bench", "--quiet", "--bench", "inference", "--", "--json", "--data", CAT]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"error": (out.stderr or out.stdout).strip()[-300:]}
    return json.loads(lines[-1])


def inference_rows(peers, repeat, env):
    """Rows of the I3 table: (contender, dtype, median µs, × dnn, prediction)."""
    peers = [p for p in peers if not p.endswith("no-da0")]
    contenders = [("dnn", "f64"), ("dnn", "f32"), ("dnn, one thread", "f64"), ("dnn, one thread", "f32")]
    contenders += [(p, "f32" if "32" in p else "f64") for p in peers]
    micros = {c: [] for c in contenders}
    outputs, errors = {}, {}
    for _ in range(repeat):
        result = run_dnn_inference()
        if "error" in result:
            errors[("dnn", "f64")] = result["error"]
        else:
            for name, dtype in contenders[:4]:
                micros[(name, dtype)].append(result[dtype + ("_one_thread" if "one" in name else "")])
            outputs[("dnn", "f64")] = result["output"]
        for peer in peers:
            result = run_peer("I3", peer, None, None, env)
            contender = (peer, "f32" if "32" in peer else "f64")
            if "error" in result:
                errors[contender] = result["error"]
                continue
            micros[contender].append(result["micros"])
            outputs[contender] = result["output"]
    medians = {c: statistics.median(t) for c, t in micros.items() if t}
    rows = []
    for contender in contenders:
        if contender not in medians:
            rows.append((*contender, None, None, errors.get(contender, errors.get(("dnn", "f64"), "did not run"))))
            continue
        base = medians.get(("dnn", contender[1]))
        rows.append((*contender, medians[contender], medians[contender] / base if base else None,
                     outputs.get(contender)))
    return rows


def run_peer(workload, peer, data_dir, w5_iterations, env):
    if workload == "W8":
        return run_json([sys.executable, os.path.join(HERE, "softmax.py"), workload, peer, "--data-dir", data_dir],
                        env=env)
    if workload in MINIBATCH_PEERS:
        return run_json([sys.executable, os.path.join(HERE, "minibatch.py"), workload, peer], env=env)
    command = [sys.executable, os.path.join(HERE, "peers.py"), workload, peer]
    if workload == "W5":
        command += ["--iterations", str(w5_iterations)]
    return run_json(command, env=env)


def matmul_peak(env):
    code = """
import json, time, numpy as np
out = {}
a = np.random.rand(2048, 2048); b = np.random.rand(2048, 2048)
a @ b
t = time.perf_counter(); [a @ b for _ in range(5)]; out["numpy_f64"] = 5 * 2 * 2048**3 / (time.perf_counter() - t) / 1e9
try:
    import torch
    torch.set_num_threads(2)
    x = torch.rand(2048, 2048); y = torch.rand(2048, 2048)
    x @ y
    t = time.perf_counter(); [x @ y for _ in range(10)]; out["torch_f32"] = 10 * 2 * 2048**3 / (time.perf_counter() - t) / 1e9
except Exception as e:
    out["torch_f32_error"] = str(e)
print(json.dumps(out))
"""
    return run_json([sys.executable, "-c", code], env=env)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W5,W6,W7,W8,I3")
    parser.add_argument("--peers", default="numpy,numpy-no-da0,torch64,torch32,sklearn")
    parser.add_argument("--w5-iterations", type=int, default=10,
                        help="iterations of W5 for every contender (default 10; the workload defines 50)")
    parser.add_argument("--minibatch-peers", help="peers of W6 and W7 (default: W6 " + MINIBATCH_PEERS["W6"] +
                        "; W7 " + MINIBATCH_PEERS["W7"] + ")")
    parser.add_argument("--dnn-repeat", type=int, default=1,
                        help="dnn's runs in each round (default 1); the median is over all of them")
    parser.add_argument("--softmax-peers", default=SOFTMAX_PEERS, help="peers of W8 (default: %(default)s)")
    parser.add_argument("--markdown", help="also write the table as Markdown to this file")
    args = parser.parse_args()
    workloads = args.workloads.split(",")
    peers = [p for p in args.peers.split(",") if p]

    env = dict(os.environ)
    if env.get("DNN_BENCH_UNSET_OPENBLAS") == "1":
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    flags = next((line for line in open("/proc/cpuinfo") if line.startswith("flags")), "")
    simd = "AVX-512" if "avx512f" in flags else ("AVX2+FMA" if "avx2" in flags and " fma" in flags else "SSE")
    print(f"machine: {cpu}, {os.cpu_count()} cores, {simd}; {platform.system()} {platform.release()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}; load average at start: {os.getloadavg()[0]:.2f}")
    peak = matmul_peak(env)
    print(f"matrix-product peak, 2048³ on 2 threads: {json.dumps(peak)} GFLOP/s")

    data_dir = tempfile.mkdtemp(prefix="dnn-bench-")
    if "W5" in workloads or "W6" in workloads:
        subprocess.run([sys.executable, os.path.join(HERE, "peers.py"), "W5", "export", "--data-dir", data_dir],
                       check=True, capture_output=True)
    if "W8" in workloads:
        subprocess.run([sys.executable, os.path.join(HERE, "softmax.py"), "W8", "export", "--data-dir", data_dir],
                       check=True, capture_output=True)

    def contenders_of(workload):
        names = peers
        if workload in MINIBATCH_PEERS:
            names = (args.minibatch_peers or MINIBATCH_PEERS[workload]).split(",")
        if workload == "W8":
            names = args.softmax_peers.split(",")
        return [("dnn", "f64"), ("dnn", "f32")] + [(p, "f32" if "32" in p else "f64") for p in names if p]

    rows = []
    inference = inference_rows(peers, args.repeat, env) if "I3" in workloads else []
    workloads = [w for w in workloads if w != "I3"]
    for workload in workloads:
        contenders = contenders_of(workload)
        times = {c: [] for c in contenders}
        rounds = {c: [] for c in contenders}
        costs = {}
        errors = {}
        for _ in range(args.repeat):
            for contender in contenders:
                name, dtype = contender
                if name == "dnn":
                    result = {"seconds": []}
                    for _ in range(args.dnn_repeat):
                        run = run_dnn(workload, dtype, data_dir, args.w5_iterations)
                        if "error" in run:
                            result = run
                            break
                        result = {"seconds": result["seconds"] + run["seconds"], "final_cost": run["final_cost"]}
                else:
                    result = run_peer(workload, name, data_dir, args.w5_iterations, env)
                if "error" in result:
                    errors[contender] = result["error"]
                    continue
                times[contender] += result["seconds"]
                rounds[contender].append(statistics.median(result["seconds"]))
                costs[contender] = result.get("final_cost")
        medians = {c: statistics.median(t) for c, t in times.items() if t}
        for contender in contenders:
            name, dtype = contender
            if contender not in medians:
                rows.append((workload, name, dtype, None, None, errors.get(contender, "did not run")))
                continue
            base = medians.get(("dnn", dtype))
            ratio = medians[contender] / base if base else None
            rows.append((workload, name, dtype, medians[contender], ratio, costs.get(contender)))
        # Each peer against dnn f32 round by round: the two ran within a minute of each other,
        # so a machine that slows down for a while slows both.
        base_rounds = rounds[("dnn", "f32")]
        for contender in contenders:
            name, dtype = contender
            if name == "dnn" or len(rounds[contender]) != len(base_rounds) or not base_rounds:
                continue
            ratios = [peer / base for peer, base in zip(rounds[contender], base_rounds)]
            listed = " ".join(f"{r:.1f}" for r in ratios)
            print(f"{workload} {name} {dtype} / dnn f32, round by round: {listed} (median {statistics.median(ratios):.1f})")
        if "W5" == workload and ("dnn", "f32") in medians:
            for dtype in ("f64", "f32"):
                rate = W5_FLOPS * args.w5_iterations / medians[("dnn", dtype)] / 1e9
                print(f"W5 dnn {dtype}: {rate:.1f} GFLOP/s")

    header = "| workload | contender | dtype | median s | × dnn time | final cost |"
    lines = [header, "|---|---|---|---|---|---|"]
    for workload, name, dtype, median, ratio, cost in rows:
        if median is None:
            lines.append(f"| {workload} | {name} | {dtype} | — | — | {str(cost)[:60]} |")
        else:
            cost_text = f"{cost:.10g}" if isinstance(cost, float) else str(cost)
            lines.append(f"| {workload} | {name} | {dtype} | {median:.4f} | {ratio:.1f} | {cost_text} |")
    if not rows:
        lines = []
    if inference:
        lines += ([""] if lines else []) + ["| I3 | contender | dtype | median µs | × dnn time | prediction |",
                                            "|---|---|---|---|---|---|"]
        for name, dtype, median, ratio, output in inference:
            if median is None:
                lines.append(f"| I3 | {name} | {dtype} | — | — | {str(output)[:60]} |")
            else:
                output_text = f"{output:.10g}" if isinstance(output, float) else "(not printed)"
                lines.append(f"| I3 | {name} | {dtype} | {median:.1f} | {ratio:.1f} | {output_text} |")
    table = "\n".join(lines)
    print(table)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
