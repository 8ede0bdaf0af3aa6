#!/usr/bin/env bash
# The GPU measured (issue 14, item 3), in one command on a lent GPU machine, offline, in under
# five minutes; every figure goes to one file, $OUT/gpu_bench.json (or /tmp/gpu-bench/out/ where
# OUT is unset). Steps, each under its own time limit, each failure recorded and the next run:
#   1. the Vulkan loader unpacked from the bundle where the machine has none; Deno decompressed;
#   2. the rows every side reads (peers.py gen): KMeans n × 8, DBSCAN n × 6;
#   3. the shader parity tests on this machine's GPU (tests/compute/gpu_backend_test.ts and the
#      compute tests that run on every backend);
#   4. ours (gpu_bench.ts): KMeans at each n and k on the GPU, ms per Lloyd iteration with the
#      iterations chained on the device and, in the same process, with the sums read back every
#      iteration (medians of REPEATS fits each); parity with the CPU backend; DBSCAN;
#   5. the peers on the same rows: a plain PyTorch Lloyd loop on the same GPU, scikit-learn
#      KMeans on every core;
#   4b. ours: document 000's automatic job, last, in the time left;
#   6. one report (peers.py merge). A step cut off by its time limit leaves the lines it wrote
#      and a "started" line naming what it was doing.
#
#   bench/gpu/prepare.sh                         # here, once: builds bench/gpu/bundle/
#   bench/gpu/run.sh [--quick]                   # on the device, carry ["bench/gpu/bundle"]
#
# --quick: small sizes (a smoke test of the whole script, e.g. on Mesa's lavapipe). SIZES, KS,
# ITERS and REPEATS in the environment override either mode's KMeans sizes, e.g.
#   SIZES=200000 KS=8 bench/gpu/run.sh --quick   # chained vs read-back at 200k × 8 on lavapipe
set -uo pipefail
cd "$(dirname "$0")/../.."
QUICK=0
for a in "$@"; do [[ $a == --quick ]] && QUICK=1; done
WORK=/tmp/gpu-bench
OUTDIR=${OUT:-$WORK/out}
BUNDLE=bench/gpu/bundle
mkdir -p "$WORK/data" "$OUTDIR"
rm -f "$WORK"/data/*.jsonl "$WORK/data/meta.json" "$WORK/data/parity_tests.json"
REPORT=$OUTDIR/gpu_bench.json
START=$(date +%s)
say() { echo "[gpu-bench +$(($(date +%s) - START))s] $*"; }
# Seconds a step may take: its own cap, within the 290 s the whole script allows itself.
cap() {
  local left=$((290 - ($(date +%s) - START)))
  ((left < $1)) && echo $((left > 5 ? left : 5)) || echo "$1"
}

if ((QUICK)); then
  sizes=20000,50000 ks=8,16 iters=5 repeats=3 DBSCAN_N=5000 AUTO_N=5000 PARITY_MAX_N=50000
  TESTS=(tests/compute/gpu_backend_test.ts)
else
  sizes=1000000,10000000 ks=8,64 iters=20 repeats=3 DBSCAN_N=200000 AUTO_N=1000000
  PARITY_MAX_N=1000000
  TESTS=(tests/compute/gpu_backend_test.ts tests/compute/kmeans_test.ts
    tests/compute/dbscan_test.ts tests/compute/metrics_test.ts tests/compute/select_test.ts)
fi
SIZES=${SIZES:-$sizes} KS=${KS:-$ks} ITERS=${ITERS:-$iters} REPEATS=${REPEATS:-$repeats}

# 1. The Vulkan loader (only where none is installed: never over a system's own) and Deno.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  if [[ $EUID -eq 0 ]] && ls "$BUNDLE"/gl/*.deb >/dev/null 2>&1; then
    for f in "$BUNDLE"/gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    say "Vulkan loader unpacked from the bundle"
  else
    say "no Vulkan loader and none in $BUNDLE/gl: WebGPU will find no adapter"
  fi
fi
NV_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [[ -e $NV_ICD && -z ${VK_DRIVER_FILES:-} ]] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$NV_ICD
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
export DENO_WEBGPU_BACKEND=${DENO_WEBGPU_BACKEND:-vulkan}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
export DENO_NO_UPDATE_CHECK=1 NO_COLOR=1 PYTHONUNBUFFERED=1
# A cache of our own: nothing the script runs needs a package, and nothing can be fetched.
export DENO_DIR=$WORK/deno_dir

DENO=$(command -v deno || true)
for packed in "$BUNDLE"/deno.zst "$BUNDLE"/deno.xz "$BUNDLE"/deno.gz; do
  [[ -s $packed ]] || continue
  case $packed in
    *.zst) command -v zstd >/dev/null && zstd -q -d -f "$packed" -o "$WORK/deno" ;;
    *.xz)
      if command -v xz >/dev/null; then xz -d -c "$packed" >"$WORK/deno"; else
        python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$packed" "$WORK/deno"
      fi ;;
    *.gz) gzip -d -c "$packed" >"$WORK/deno" ;;
  esac
  if [[ -s $WORK/deno ]]; then chmod +x "$WORK/deno"; DENO=$WORK/deno; break; fi
done
[[ -n $DENO ]] || { say "no Deno: run bench/gpu/prepare.sh and carry $BUNDLE"; exit 1; }
PY=${PYTHON:-$(command -v python3)}
say "deno: $("$DENO" --version | head -1); python: $("$PY" --version 2>&1)"

nvidia=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
"$PY" - "$WORK/data/meta.json" "$QUICK" "$("$DENO" --version | head -1)" "$nvidia" <<'PYEOF'
import json, os, platform, sys
path, quick, deno, nvidia = sys.argv[1:5]
json.dump({"quick": quick == "1", "deno": deno, "nvidia_smi": nvidia or None,
           "cpus": os.cpu_count(), "machine": platform.machine(),
           "vk_driver_files": os.environ.get("VK_DRIVER_FILES")}, open(path, "w"))
PYEOF

# 2. The rows.
say "generating rows (sizes $SIZES, k $KS, DBSCAN $DBSCAN_N)"
timeout "$(cap 40)" "$PY" bench/gpu/peers.py gen --dir "$WORK/data" --sizes "$SIZES" --ks "$KS" \
  --dbscan-n "$DBSCAN_N" || say "gen failed ($?)"

# 3. The parity tests on this GPU.
say "parity tests: ${TESTS[*]}"
log=$WORK/parity_tests.log
timeout "$(cap 60)" "$DENO" test -A --no-check "${TESTS[@]}" >"$log" 2>&1
status=$?
tail -n 5 "$log"
"$PY" - "$log" "$status" "$WORK/data/parity_tests.json" <<'PYEOF'
import json, re, sys
log, status, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
text = open(log, errors="replace").read()
summary = [l for l in text.splitlines() if re.match(r"^(ok|FAILED) \| \d+ passed", l)]
failed = [l.strip() for l in text.splitlines() if l.rstrip().endswith("FAILED") and "=>" not in l][:20]
skipped = [l.strip() for l in text.splitlines() if "skipped" in l.lower()][:5]
json.dump({"exit_status": status, "summary": summary[-1] if summary else None,
           "failed": failed, "skip_notes": skipped}, open(out, "w"))
PYEOF

# 4. Ours: KMeans and DBSCAN.
say "ours: KMeans and DBSCAN"
OURS=(--dir "$WORK/data" --sizes "$SIZES" --ks "$KS" --iters "$ITERS" --repeats "$REPEATS"
  --parity-max-n "$PARITY_MAX_N" --dbscan-n "$DBSCAN_N" --auto-n "$AUTO_N")
timeout "$(cap 120)" "$DENO" run -A --no-check bench/gpu/gpu_bench.ts "${OURS[@]}" \
  --only kmeans,dbscan || say "ours ended with $?"

# 5. The peers.
say "PyTorch Lloyd loop"
timeout "$(cap 30)" "$PY" bench/gpu/peers.py torch --dir "$WORK/data" --sizes "$SIZES" --ks "$KS" \
  --iters "$ITERS" || say "torch ended with $?"
say "scikit-learn KMeans on $(nproc) cores"
timeout "$(cap 45)" "$PY" bench/gpu/peers.py sklearn --dir "$WORK/data" --sizes "$SIZES" --ks "$KS" \
  --iters "$ITERS" || say "sklearn ended with $?"

# 4b. Ours: document 000's automatic job, last (the least predictable), with what time is left.
say "ours: document 000's automatic job at $AUTO_N"
timeout "$(cap 120)" "$DENO" run -A --no-check bench/gpu/gpu_bench.ts "${OURS[@]}" \
  --only auto || say "the automatic job ended with $?"

# 6. One report.
"$PY" bench/gpu/peers.py merge --dir "$WORK/data" --out "$REPORT"
say "report: $REPORT"
