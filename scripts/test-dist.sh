#!/usr/bin/env bash
# Checks the self-contained binary that `make dist` builds, as a CI machine
# without Swift would run it:
#   1. it needs no library beyond libc, libm, libstdc++ and libgcc_s, and is
#      at most 12 MB;
#   2. with the toolchain's library folder hidden (a bind mount of an empty
#      folder over it, in a private mount namespace: needs root and unshare),
#      it trains the worked example, XOR and iris, and its weights, logs
#      (less the seconds column, a wall time), explain output and predictions
#      are byte for byte those of the normal build (.build/release/trainer).
# Without root or unshare the runs still happen and are compared, with the
# toolchain in view, and a SKIPPED line says what was not checked.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=dist/trainer
normal=.build/release/trainer
max_bytes=12000000

fail() {
  echo "test-dist: FAILED: $*" >&2
  exit 1
}

# The runs, with binary $1, outputs into folder $2.
runs() {
  local trainer=$1 out=$2
  "$trainer" run configs/worked-2-2-2.json --quiet --weights-out "$out/worked.weights.json" --log "$out/worked.loss.csv"
  "$trainer" explain configs/worked-2-2-2.json > "$out/worked.explain.txt"
  "$trainer" run --example xor --quiet --weights-out "$out/xor.weights.json" --log "$out/xor.loss.csv"
  printf '0,0\n0,1\n1,0\n1,1\n' | "$trainer" predict "$out/xor.weights.json" > "$out/xor.predict.csv"
  "$trainer" run configs/iris.json --quiet --weights-out "$out/iris.weights.json" --log "$out/iris.loss.csv"
  "$trainer" --version | head -1 > "$out/version.txt"
}

# Inside the namespace (the script calls itself): hide the folder, make sure
# the normal build can no longer start, then run the dist binary.
if [ "${1-}" = --hidden ]; then
  libraries=$2 out=$3 empty=$4
  mount --bind "$empty" "$libraries"
  if "$normal" --version > /dev/null 2>&1; then
    fail "the normal build still starts with $libraries hidden: the test hides nothing"
  fi
  runs "$dist" "$out"
  exit 0
fi

[ -x "$dist" ] || fail "no $dist: run 'make dist' first"
[ -x "$normal" ] || fail "no $normal: run 'make build' first"

for library in $(readelf -d "$dist" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
  case $library in
    libc.so.6 | libm.so.6 | libstdc++.so.6 | libgcc_s.so.1 | ld-linux-*) ;;
    *) fail "$dist needs $library" ;;
  esac
done
bytes=$(stat -c %s "$dist")
[ "$bytes" -le "$max_bytes" ] || fail "$dist is $bytes bytes, above $max_bytes"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/normal" "$work/dist" "$work/empty"
runs "$normal" "$work/normal"

libraries=$(ldd "$normal" | sed -n 's/.*libswiftCore\.so => \(.*\)\/libswiftCore\.so .*/\1/p')
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null && [ -n "$libraries" ] &&
  unshare -m true 2> /dev/null; then
  unshare -m -- "$0" --hidden "$libraries" "$work/dist" "$work/empty"
  hidden="with $libraries hidden"
else
  echo "test-dist: SKIPPED hiding the toolchain (needs root, unshare and a dynamic normal build); the dist binary runs with it in view" >&2
  runs "$dist" "$work/dist"
  hidden="with the toolchain in view"
fi

# The seconds column is wall time: the one thing allowed to differ.
for log in "$work"/normal/*.loss.csv "$work"/dist/*.loss.csv; do
  awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") drop = i }
    { line = ""; for (i = 1; i <= NF; i++) if (i != drop) line = line (line == "" ? "" : OFS) $i; print line }' \
    "$log" > "$log.cut"
  rm "$log"
done
files=$(cd "$work/normal" && ls)
for file in $files; do
  cmp "$work/normal/$file" "$work/dist/$file" || fail "$file differs between $normal and $dist"
done
echo "test-dist: ok: $dist ($bytes bytes; needs only libc, libm, libstdc++, libgcc_s) gives the same bytes as $normal $hidden:" $files
