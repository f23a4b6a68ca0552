#!/usr/bin/env bash
# One command for the side-by-side benchmark: builds dnn, creates the Python peers' virtual
# environment if it is missing (bench/setup_venv.sh), and runs bench/run.py with the given
# options (see `python3 bench/run.py --help`). Takes about 25 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${DNN_BENCH_VENV:-$HOME/.cache/dnn-bench-venv}
cargo build --release --quiet
[ -x "$venv/bin/python" ] || bash bench/setup_venv.sh
exec "$venv/bin/python" bench/run.py "$@"
