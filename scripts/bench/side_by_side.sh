#!/usr/bin/env bash
# Training throughput of ChartCLIP and PyTorch, interleaved per round so machine drift hits
# both alike: ChartCLIP in float32 and bfloat16 (`bench train --precision`), the stock PyTorch
# wheel in float32 (../shared/bench/clip_ref.py) and the same under autocast to bfloat16
# (scripts/bench/torch_bf16_ref.py). Prints images/s per round and the ratios within a round.
#
#   scripts/bench/side_by_side.sh [rounds] [models...]     e.g.  scripts/bench/side_by_side.sh 3 clip-tiny clip-small
#
# Needs a release build (swift build -c release) and the PyTorch venv of ../shared/bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
shift || true
if [ $# -eq 0 ]; then set -- clip-tiny clip-small; fi
models=("$@")
chartclip=.build/release/chartclip
python=${PYTHON:-/tmp/ref/bin/python}
reference=${REFERENCE:-../shared/bench}
unset OPENBLAS_CORETYPE

ours() { "$chartclip" bench train --model "$1" --batch 64 --precision "$2" --json | sed -n 's/.*"imagesPerSecond" *: *\([0-9.]*\).*/\1/p'; }
torch_ref() { "$python" "$reference/clip_ref.py" --config "$1" --mode train --threads 2 --batch 64 2>/dev/null | tail -1 | sed -n 's/.*"images_per_s": \([0-9.]*\).*/\1/p'; }
torch_bf16() { "$python" scripts/bench/torch_bf16_ref.py --config "$1" --threads 2 --batch 64 --reference "$reference" 2>/dev/null | tail -1 | sed -n 's/.*"images_per_s": \([0-9.]*\).*/\1/p'; }

printf "%-10s %5s %12s %12s %12s %12s %10s %10s %10s\n" model round "ours f32" "ours bf16" "torch f32" "torch bf16" "f32/f32" "bf16/f32" "bf16/bf16"
for r in $(seq 1 "$rounds"); do
  for m in "${models[@]}"; do
    cfg=${m#clip-}
    a=$(ours "$m" float32); b=$(ours "$m" bfloat16); c=$(torch_ref "$cfg"); d=$(torch_bf16 "$cfg")
    awk -v m="$m" -v r="$r" -v a="$a" -v b="$b" -v c="$c" -v d="$d" 'BEGIN {
      printf "%-10s %5d %12.1f %12.1f %12.1f %12.1f %9.2fx %9.2fx %9.2fx\n", m, r, a, b, c, d, a / c, b / c, b / d }'
  done
done
