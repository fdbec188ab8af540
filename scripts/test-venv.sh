#!/usr/bin/env bash
# Makes .build/test-venv, the Python the ONNX export tests run (the onnx
# package's checker and onnxruntime, Tests/Export/*.py): python3 -m venv, then
# pip install onnx onnxruntime numpy. Idempotent: when the venv already
# imports all three it returns at once (about a second, the imports). The
# tests use TRAINER_TEST_PYTHON instead when it is set.
#
# Prints one line. A failure (no python3, no venv module, no network, a
# package index outage) is one line on stderr and exit status 0, not 1, on
# purpose: the tests that need the venv are then skipped, visibly, with the
# reason in the test report, rather than `make test` (and CI) failing over
# something outside the repository. A half-made venv is removed, so the next
# run starts over.
set -uo pipefail
cd "$(dirname "$0")/.."

venv=.build/test-venv
python=$venv/bin/python
check='import onnx, onnxruntime, numpy'

skip() {
  echo "test-venv: $*; the ONNX export tests will be skipped" >&2
  exit 0
}

if [ -x "$python" ] && "$python" -c "$check" 2>/dev/null; then
  echo "test-venv: $venv is ready"
  exit 0
fi

command -v python3 >/dev/null || skip "no python3 on PATH"
mkdir -p .build
log=.build/test-venv.log
if [ ! -x "$python" ]; then
  python3 -m venv "$venv" >"$log" 2>&1 || { rm -rf "$venv"; skip "python3 -m venv $venv failed (see $log)"; }
fi
"$python" -m pip install --disable-pip-version-check --quiet onnx onnxruntime numpy >>"$log" 2>&1 \
  || { rm -rf "$venv"; skip "pip install onnx onnxruntime numpy failed (see $log)"; }
"$python" -c "$check" >>"$log" 2>&1 || { rm -rf "$venv"; skip "$venv cannot import onnx, onnxruntime and numpy (see $log)"; }
echo "test-venv: made $venv with $("$python" -c 'import onnx, onnxruntime; print(f"onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}")')"
