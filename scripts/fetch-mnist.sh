#!/usr/bin/env bash
# Puts the four MNIST files (uncompressed IDX) into data/mnist/ (`make mnist`).
# A file already there with the right MD5 is kept; for each other file the
# sources are tried in this order:
#   1. MNIST_FROM=DIR, a folder you name, holding NAME or NAME.gz;
#   2. ../shared/data/mnist beside the repository, when present (NAME or NAME.gz);
#   3. NAME.gz downloaded with curl from each mirror in turn.
# Each file's MD5, uncompressed, must match the published sum below. All the
# work happens in a temporary folder data/.fetch-mnist.PID.XXXXXX, removed on
# exit or interrupt; a file is renamed into data/mnist/ only once its sum
# matches, so data/mnist/ never holds a partial or unchecked file.
# Progress goes to stdout; a failure is one line on stderr, exit status 1.
#
# For tests: MNIST_MD5_FILE names a file of `md5sum` lines ("SUM  NAME") to
# use instead of the table below (those names are the files fetched), and
# MNIST_MIRRORS replaces the mirrors (base URLs, separated by spaces).
set -euo pipefail

fail() {
  echo "fetch-mnist: $*" >&2
  exit 1
}

# MNIST_FROM is relative to where the script was started (make runs it from
# the repository), so resolve it before moving to the repository.
from=${MNIST_FROM:-}
if [ -n "$from" ]; then
  [ -d "$from" ] || fail "MNIST_FROM=$from is not a folder; name the folder holding the four MNIST files (raw or .gz)"
  from=$(cd "$from" && pwd)
fi
md5_file=${MNIST_MD5_FILE:-}
if [ -n "$md5_file" ]; then
  [ -f "$md5_file" ] || fail "MNIST_MD5_FILE=$md5_file is not a file"
  md5_file=$(cd "$(dirname "$md5_file")" && pwd)/$(basename "$md5_file")
fi
cd "$(dirname "$0")/.."

target=data/mnist
shared=../shared/data/mnist
read -r -a mirrors <<< "${MNIST_MIRRORS:-https://storage.googleapis.com/cvdf-datasets/mnist https://ossci-datasets.s3.amazonaws.com/mnist}"

# The published sums of the uncompressed files (LeCun, Cortes, Burges).
names=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A md5=(
  [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
  [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
  [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
  [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
)
if [ -n "$md5_file" ]; then
  names=()
  md5=()
  while read -r sum name; do
    [ -z "$sum" ] && continue
    [[ $sum =~ ^[0-9a-f]{32}$ && $name =~ ^[A-Za-z0-9._-]+$ ]] || fail "$md5_file: not a 'SUM  NAME' line: $sum $name"
    names+=("$name")
    md5[$name]=$sum
  done < "$md5_file"
  [ "${#names[@]}" -gt 0 ] || fail "$md5_file: no 'SUM  NAME' lines"
fi

md5_of() { md5sum < "$1" | cut -d' ' -f1; }

mkdir -p data
# A run killed with SIGKILL cannot clean up; its folder names its process, so
# the next run removes folders whose process is gone (and leaves a live one's).
for stale in data/.fetch-mnist.*; do
  [ -d "$stale" ] || continue
  pid=${stale#data/.fetch-mnist.}
  pid=${pid%%.*}
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2> /dev/null; then continue; fi
  rm -rf "$stale"
done
tmp=$(mktemp -d "data/.fetch-mnist.$$.XXXXXX")
# curl runs in the background (`child`) so that a signal is handled at once,
# not when the download ends: the trap stops it, then removes the folder.
child=""
cleanup() {
  if [ -n "$child" ]; then
    kill "$child" 2> /dev/null || true
    wait "$child" 2> /dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Copies NAME or unzips NAME.gz from folder $1 to $tmp/NAME. Returns 1 when
# the folder has neither, 2 when NAME.gz does not unzip.
copy_from() {
  local folder=$1 name=$2
  rm -f "$tmp/$name"
  if [ -f "$folder/$name" ]; then
    cp "$folder/$name" "$tmp/$name"
  elif [ -f "$folder/$name.gz" ]; then
    gunzip -c "$folder/$name.gz" > "$tmp/$name" 2>/dev/null || return 2
  else
    return 1
  fi
}

# Downloads $1/NAME.gz and unzips it to $tmp/NAME; on failure sets `why`.
download() {
  local mirror=$1 name=$2
  rm -f "$tmp/$name" "$tmp/$name.gz"
  if ! command -v curl > /dev/null; then
    why="curl is not installed"
    return 1
  fi
  echo "fetch-mnist: downloading $mirror/$name.gz"
  curl -fsSL --connect-timeout 20 --retry 2 -o "$tmp/$name.gz" "$mirror/$name.gz" 2> "$tmp/curl.err" &
  child=$!
  local status=0
  wait "$child" || status=$?
  child=""
  if [ "$status" != 0 ]; then
    why=$(head -n 1 "$tmp/curl.err" | sed 's/^curl: //')
    why=${why:-curl failed}
    return 1
  fi
  if ! gunzip -c "$tmp/$name.gz" > "$tmp/$name" 2> /dev/null; then
    why="$name.gz does not unzip"
    return 1
  fi
}

# Renames the checked $tmp/NAME into data/mnist/ (same filesystem: atomic).
install_file() {
  local name=$1
  mkdir -p "$target"
  chmod 644 "$tmp/$name"
  mv -f "$tmp/$name" "$target/$name"
}

for name in "${names[@]}"; do
  expected=${md5[$name]}
  # Left by the previous version of this script when a download failed.
  rm -f "$target/$name.part"
  if [ -f "$target/$name" ]; then
    [ "$(md5_of "$target/$name")" = "$expected" ] && continue
    echo "fetch-mnist: $target/$name has the wrong MD5; getting it again"
  fi

  # 1. The folder the user named: a wrong file there is an error, not a
  #    reason to download something else.
  if [ -n "$from" ]; then
    status=0
    copy_from "$from" "$name" || status=$?
    if [ "$status" = 2 ]; then
      fail "$from/$name.gz does not unzip; replace it, or run 'make mnist' without MNIST_FROM to download"
    elif [ "$status" = 0 ]; then
      sum=$(md5_of "$tmp/$name")
      [ "$sum" = "$expected" ] \
        || fail "$from/$name has MD5 $sum, expected $expected: not the MNIST file; replace it, or run 'make mnist' without MNIST_FROM to download"
      echo "fetch-mnist: $name from $from"
      install_file "$name"
      continue
    fi
    tried="MNIST_FROM=$from has neither $name nor $name.gz"
  else
    tried="no MNIST_FROM folder"
  fi

  # 2. The shared data folder beside the repository.
  if [ -d "$shared" ]; then
    status=0
    copy_from "$shared" "$name" || status=$?
    if [ "$status" = 0 ]; then
      sum=$(md5_of "$tmp/$name")
      if [ "$sum" = "$expected" ]; then
        echo "fetch-mnist: $name from $shared"
        install_file "$name"
        continue
      fi
      echo "fetch-mnist: $shared/$name has MD5 $sum, expected $expected; trying the mirrors"
      tried+=", $shared/$name has the wrong MD5"
    elif [ "$status" = 2 ]; then
      tried+=", $shared/$name.gz does not unzip"
    else
      tried+=", $shared has no $name"
    fi
  else
    tried+=", no $shared"
  fi

  # 3. The mirrors, in turn.
  reasons=""
  for mirror in "${mirrors[@]}"; do
    why=""
    if download "$mirror" "$name"; then
      sum=$(md5_of "$tmp/$name")
      if [ "$sum" = "$expected" ]; then
        install_file "$name"
        continue 2
      fi
      why="MD5 $sum, expected $expected"
    fi
    reasons+="${reasons:+; }$mirror: $why"
  done
  case ${#mirrors[@]} in
    0) failed="no mirror to download from" ;;
    1) failed="the mirror failed" ;;
    2) failed="both mirrors failed" ;;
    *) failed="all ${#mirrors[@]} mirrors failed" ;;
  esac
  [ -n "$reasons" ] && failed+=" ($reasons)"
  fail "cannot get $name: $tried, and $failed; download the four MNIST .gz files from ${mirrors[0]:-a mirror}/ into a folder DIR and run 'make mnist MNIST_FROM=DIR'"
done
echo "fetch-mnist: MNIST is in $target/"
