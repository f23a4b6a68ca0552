#!/usr/bin/env bash
# Creates the Python environment used by bench/peers.py and bench/minibatch.py (the numpy,
# scikit-learn, PyTorch and Keras peers that the `dnn` benchmarks compare against).
#
#   bash bench/setup_venv.sh
#   "${DNN_BENCH_VENV:-$HOME/.cache/dnn-bench-venv}/bin/python" bench/peers.py W3 numpy --repeat 3
#
# Environment:
#   DNN_BENCH_VENV   where the virtual environment goes (default $HOME/.cache/dnn-bench-venv)
#   DNN_BENCH_TORCH  how to get PyTorch:
#                      lean (default)  torch without the CUDA packages it can load without
#                                      (see below), falling back to `full` if that fails;
#                      full            plain `pip install torch`;
#                      none            no torch (the torch peers then report an error line).
#   PYTHON           the interpreter that creates the environment (default python3)
#
# PyTorch on PyPI: the Linux x86_64 `torch` wheel is the CUDA build. Its shared libraries
# (even libtorch_cpu.so) are linked against the CUDA runtime, cuBLAS, cuDNN, NCCL, ... so
# `import torch` fails unless those nvidia-* wheels are present, GPU or not; PyPI has no
# CPU-only wheel for this platform. `pip install --no-deps torch` alone therefore does not
# import. The `lean` mode resolves torch's full dependency set without installing it, then
# installs it pinned with --no-deps, minus the packages that nothing loads when torch is
# imported and used on the CPU: triton (GPU kernel compiler), cuSOLVER (opened lazily by
# libtorch_cuda_linalg.so), NVTX, the CUDA C++ headers (cccl), the cuda-toolkit meta package
# and the cuda-bindings/cuda-pathfinder Python bindings. torch then takes about 4.1 GB
# installed instead of about 5.4 GB (triton alone is about 1 GB); `pip check` will list the
# left-out packages, which is expected.
#
# BLAS and the environment: neither this script nor peers.py changes the environment they are
# given. On some machines OPENBLAS_CORETYPE (together with OPENBLAS_L2_SIZE) is set to work
# around bugs of old OpenBLAS builds; with a current numpy it selects a slower kernel. A
# benchmark runner that wants numpy's best kernel should, when DNN_BENCH_UNSET_OPENBLAS=1,
# unset both variables together for the Python peer commands only, e.g.
#   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$VENV/bin/python" bench/peers.py W3 numpy
# and leave tests and CI alone. Every peers.py result carries a "blas" key (from threadpoolctl:
# library, version, the kernel "architecture" it selected, threads, and the two variables as
# seen by the process), so a run shows which kernel it actually used.
#
# Exit status: non-zero only if the venv or numpy/scikit-learn/h5py cannot be installed.
# A PyTorch that cannot be installed or imported is reported and skipped (exit 0).

set -u

VENV="${DNN_BENCH_VENV:-$HOME/.cache/dnn-bench-venv}"
PY="${PYTHON:-python3}"
TORCH_MODE="${DNN_BENCH_TORCH:-lean}"

say() { printf 'setup_venv: %s\n' "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtual environment at $VENV"
    if ! "$PY" -m venv "$VENV"; then
        say "could not create a virtual environment with $PY -m venv" >&2
        exit 1
    fi
fi
VPY="$VENV/bin/python"
pip_() { "$VPY" -m pip --disable-pip-version-check "$@"; }

pip_ install --quiet --upgrade pip || say "could not upgrade pip; going on with $(pip_ --version)"

say "installing numpy, scikit-learn, h5py, threadpoolctl"
if ! pip_ install --quiet numpy scikit-learn h5py threadpoolctl; then
    say "installing numpy/scikit-learn/h5py failed" >&2
    exit 1
fi

# Keras 3 is small; it runs on the PyTorch backend installed below (bench/minibatch.py).
say "installing keras"
pip_ install --quiet keras || say "could not install keras; the keras peers will print an error line"

TORCH_CHECK='import torch; assert float(torch.ones(2).sum()) == 2.0; print(torch.__version__)'
torch_ok() { "$VPY" -c "$TORCH_CHECK" >/dev/null 2>&1; }
torch_error() { "$VPY" -c "$TORCH_CHECK" 2>&1 | tail -n 1; }
venv_mb() { du -sm "$VENV" 2>/dev/null | cut -f1; }

finish_torch() {
    say "torch $("$VPY" -c 'import torch; print(torch.__version__)') works ($1 install," \
        "$(( $(date +%s) - T0 )) s); the environment now takes $(venv_mb) MB"
    exit 0
}

if torch_ok; then
    say "torch $("$VPY" -c 'import torch; print(torch.__version__)') is already installed and works"
    exit 0
fi

T0=$(date +%s)
say "environment before torch: $(venv_mb) MB"

case "$TORCH_MODE" in
none)
    say "DNN_BENCH_TORCH=none: not installing torch; the torch peers will report an error"
    exit 0
    ;;
lean)
    say "resolving torch's dependencies (nothing is installed by this step)"
    REPORT="$(mktemp)"
    if pip_ install --quiet --dry-run --ignore-installed --report "$REPORT" torch; then
        PINNED="$("$VPY" - "$REPORT" <<'EOF'
import json, re, sys

# Packages that `import torch` and CPU tensors never load (see the header of this script).
SKIP_PREFIXES = ("triton", "nvidia-cusolver", "nvidia-nvtx", "nvidia-cuda-cccl",
                 "cuda-toolkit", "cuda-bindings", "cuda-pathfinder")
with open(sys.argv[1]) as f:
    report = json.load(f)
keep = []
for item in report.get("install", []):
    name = re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower()
    if not name.startswith(SKIP_PREFIXES):
        keep.append(f"{name}=={item['metadata']['version']}")
print(" ".join(keep))
EOF
)"
        rm -f "$REPORT"
        if [ -n "$PINNED" ]; then
            say "installing torch with --no-deps and: ${PINNED}"
            # shellcheck disable=SC2086  # PINNED is a space-separated list of requirements
            pip_ install --quiet --no-deps $PINNED 2>&1 | grep -v -i -E 'dependency conflicts|requires .*which is not installed|^torch [0-9.+a-z]* requires' || true
            if torch_ok; then finish_torch lean; fi
            say "the lean torch does not import ($(torch_error)); trying a full install"
        else
            say "could not read the resolved dependency list; trying a full install"
        fi
    else
        rm -f "$REPORT"
        say "could not resolve torch's dependencies; trying a full install"
    fi
    ;&
full)
    say "installing torch with all its dependencies (several GB of CUDA packages)"
    if pip_ install --quiet torch && torch_ok; then finish_torch full; fi
    ;;
*)
    say "unknown DNN_BENCH_TORCH=$TORCH_MODE (expected lean, full or none); skipping torch"
    exit 0
    ;;
esac

say "PyTorch is not available: $(torch_error)"
say "going on without it; the torch peers of peers.py will print an error line"
exit 0
