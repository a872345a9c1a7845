#!/usr/bin/env bash
# The GPU check: verifies rlhf4j's CUDA side on the GPU machine in under 8 minutes.
#
#   bash bench/gpu-check.sh RESULTS_DIR        (from the repository root, or anywhere)
#
# Needs the bundle that bench/build-gpu-bundle.sh builds, at <repo>/gpu-bundle/ (or in
# $RLHF4J_GPU_BUNDLE): jdk.tgz (a jlink'ed JDK 25; the GPU machine has no JDK) and rlhf4j-gpu.jar.
# Steps, each under its own time limit: (1) the engine's CUDA tests, all of packages
# io.rlhf4j.engine.cuda and io.rlhf4j.engine.backend (the gpu-tagged kernel-vs-CPU and
# Backend/RlF-vs-CPU tests and the device-free ones) plus CpuRlKernelsTest, through the JUnit
# console launcher; (2) the JMH GPU benchmarks with short
# settings (io.rlhf4j.bench.GpuBench); (3) the PyTorch peer bench/peers/torch_rl_kernels.py.
# Writes into RESULTS_DIR: report.json (summary), gpu-check.log (everything printed),
# junit/ (XML reports), bench-summary.json, jmh.json, torch-peer.json.
#
# Exit status: 0  a CUDA device was found and every test passed;
#              1  a test failed (or the test run did not finish);
#              2  setup problem (bundle missing, JDK does not start);
#              3  no CUDA device: the gpu tests were skipped ("skipped: no CUDA device"), the
#                 device-free tests passed, benchmarks were skipped; nothing GPU-side verified.
# Benchmark and peer problems never change the status; report.json records them.
set -uo pipefail
RESULTS=${1:?usage: bash bench/gpu-check.sh RESULTS_DIR}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUNDLE=${RLHF4J_GPU_BUNDLE:-$ROOT/gpu-bundle}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
LOG="$RESULTS/gpu-check.log"
: > "$LOG"
exec > >(tee -a "$LOG") 2>&1
T0=$(date +%s)
step() { echo; echo "=== [$(( $(date +%s) - T0 ))s] $*"; }

setup_fail() {
    echo "gpu-check: $1"
    printf '{"status": "setup-error", "exit_code": 2, "error": "%s"}\n' "$1" > "$RESULTS/report.json"
    exit 2
}

step "bundle: $BUNDLE"
[[ -f "$BUNDLE/jdk.tgz" && -f "$BUNDLE/rlhf4j-gpu.jar" ]] || setup_fail "bundle not found at $BUNDLE (build it with bench/build-gpu-bundle.sh)"
JDK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rlhf4j-jdk.XXXXXX")
trap 'rm -rf "$JDK_DIR"' EXIT
tar xzf "$BUNDLE/jdk.tgz" -C "$JDK_DIR" || setup_fail "cannot unpack $BUNDLE/jdk.tgz"
JAVA="$JDK_DIR/jdk/bin/java"
JAR="$BUNDLE/rlhf4j-gpu.jar"
"$JAVA" -version || setup_fail "the bundled JDK does not start"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m)
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv

step "tests (limit 270 s)"
timeout 270 "$JAVA" "${FLAGS[@]}" -Drlhf4j.cuda.checkLaunches=true -cp "$JAR" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests \
    --select-package io.rlhf4j.engine.cuda --select-package io.rlhf4j.engine.backend \
    --select-class io.rlhf4j.engine.rl.CpuRlKernelsTest \
    --reports-dir "$RESULTS/junit"
TESTS_RC=$?
echo "tests exit code: $TESTS_RC"

step "GPU benchmarks (limit 150 s)"
timeout 150 "$JAVA" "${FLAGS[@]}" -cp "$JAR" io.rlhf4j.bench.GpuBench "$RESULTS/bench-summary.json" \
    'io.rlhf4j.bench.Cuda.*' -f 1 -wi 1 -w 1s -i 3 -r 1s -rf json -rff "$RESULTS/jmh.json"
BENCH_RC=$?
echo "benchmarks exit code: $BENCH_RC"

step "PyTorch peer (limit 90 s)"
PEER_RC=127
if command -v python3 >/dev/null && python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    timeout 90 python3 "$ROOT/bench/peers/torch_rl_kernels.py" --out "$RESULTS/torch-peer.json"
    PEER_RC=$?
else
    echo "skipped: no python3 with a CUDA-enabled torch"
fi
echo "peer exit code: $PEER_RC"

step "report"
python3 - "$RESULTS" "$TESTS_RC" "$BENCH_RC" "$PEER_RC" "$(( $(date +%s) - T0 ))" <<'PY'
import glob, json, os, sys
results, tests_rc, bench_rc, peer_rc, seconds = sys.argv[1], *map(int, sys.argv[2:])
import xml.etree.ElementTree as ET
tests = {"run": 0, "failed": 0, "errors": 0, "skipped": 0, "skip_reasons": {}, "failures": []}
for f in glob.glob(os.path.join(results, "junit", "*.xml")):
    for case in ET.parse(f).getroot().iter("testcase"):
        tests["run"] += 1
        name = case.get("classname", "") + "." + case.get("name", "")
        for tag, key in (("failure", "failed"), ("error", "errors")):
            for e in case.findall(tag):
                tests[key] += 1
                tests["failures"].append({"test": name, "message": (e.get("message") or "")[:500]})
        for s in case.findall("skipped"):
            tests["skipped"] += 1
            reason = (s.get("message") or s.text or "").strip().splitlines()[0][:200] if (s.get("message") or s.text) else ""
            tests["skip_reasons"][reason] = tests["skip_reasons"].get(reason, 0) + 1
def load(name):
    try:
        with open(os.path.join(results, name)) as f:
            return json.load(f)
    except Exception as e:
        return {"missing": f"{type(e).__name__}: {e}"}
bench = load("bench-summary.json")
no_device = bool(bench.get("skipped")) or any("no CUDA device" in r for r in tests["skip_reasons"])
gpu_tests = sum(1 for f in glob.glob(os.path.join(results, "junit", "*.xml"))
                for c in ET.parse(f).getroot().iter("testcase") if "GpuTest" in c.get("classname", ""))
tests["gpu_tests_found"] = gpu_tests
if gpu_tests == 0:
    tests["failures"].append({"test": "discovery", "message": "no *GpuTest class was discovered in the jar"})
if tests_rc != 0 or tests["failed"] or tests["errors"] or gpu_tests == 0:
    status, code = "tests-failed", 1
elif no_device:
    status, code = "no-cuda-device", 3
else:
    status, code = "passed", 0
report = {"status": status, "exit_code": code, "seconds": seconds, "cuda_device": not no_device,
          "tests": tests, "tests_exit_code": tests_rc,
          "benchmarks": bench, "benchmarks_exit_code": bench_rc,
          "torch_peer": load("torch-peer.json") if peer_rc != 127 else {"skipped": "no python3 with CUDA torch"},
          "torch_peer_exit_code": peer_rc}
with open(os.path.join(results, "report.json"), "w") as f:
    json.dump(report, f, indent=2)
print(json.dumps({k: report[k] for k in ("status", "exit_code", "seconds", "cuda_device")}))
print("tests: run %(run)d, failed %(failed)d, errors %(errors)d, skipped %(skipped)d" % tests, tests["skip_reasons"] or "")
sys.exit(code)
PY
CODE=$?
echo "gpu-check: exit $CODE (0 passed on a GPU, 1 tests failed, 2 setup, 3 no CUDA device); results in $RESULTS"
exit $CODE
