#!/usr/bin/env bash
# Puts GNU parallel on the machine for the test of the grid recipe
# (Tests/TrainerKitTests/CLI/GridTests.swift), from Debian's packages, when
# it is missing and we are root. Like test-venv.sh it prints one line and
# never fails: without parallel the test is skipped, visibly, with the reason
# in the test report.
set -uo pipefail

if command -v parallel >/dev/null 2>&1; then
  echo "test-tools: GNU parallel is ready"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-tools: GNU parallel is missing and cannot be installed here (not root, or no apt-get); the grid recipe test will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if timeout 300 apt-get install -y -q parallel >/dev/null 2>&1 ||
  { timeout 300 apt-get update -q >/dev/null 2>&1 && timeout 300 apt-get install -y -q parallel >/dev/null 2>&1; }; then
  echo "test-tools: installed GNU parallel"
else
  echo "test-tools: apt-get install parallel failed; the grid recipe test will be skipped" >&2
fi
exit 0
