#!/usr/bin/env bash
# Puts the four MNIST files (uncompressed IDX) into data/mnist/: copied from
# ../shared/data/mnist when that folder exists, otherwise downloaded from a
# mirror of LeCun's originals and unzipped. Either way each file's MD5 is
# checked against the published sums.
set -euo pipefail
cd "$(dirname "$0")/.."
target=data/mnist
shared=../shared/data/mnist
mirror=${MNIST_MIRROR:-https://storage.googleapis.com/cvdf-datasets/mnist}
declare -A md5=(
  [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
  [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
  [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
  [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
)
mkdir -p "$target"
for name in "${!md5[@]}"; do
  file=$target/$name
  if [ -f "$file" ] && [ "$(md5sum < "$file" | cut -d' ' -f1)" = "${md5[$name]}" ]; then
    continue
  fi
  if [ -f "$shared/$name" ]; then
    cp "$shared/$name" "$file.part"
  else
    echo "downloading $mirror/$name.gz" >&2
    curl -fsSL "$mirror/$name.gz" | gunzip > "$file.part"
  fi
  sum=$(md5sum < "$file.part" | cut -d' ' -f1)
  if [ "$sum" != "${md5[$name]}" ]; then
    rm -f "$file.part"
    echo "fetch-mnist: $name: MD5 $sum, expected ${md5[$name]}" >&2
    exit 1
  fi
  chmod 644 "$file.part"
  mv "$file.part" "$file"
done
echo "MNIST is in $target/"
