#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/Fuzz*.swift) and runs each in turn for
# FUZZ_SECONDS. Exits 1 if any target crashed (or broke its property), leaving
# the input in $FUZZ_OUT/TARGET/crash-* (or timeout-*, oom-*).
#
#   Fuzz/fuzz.sh                 build, then run every target
#   Fuzz/fuzz.sh json weights    only these targets
#   Fuzz/fuzz.sh --build-only    build, do not run
#
# Environment: FUZZ_SECONDS (default 60 per target), FUZZ_BUILD (build folder,
# default .build/fuzz), FUZZ_OUT (outputs, default Fuzz/Output; git ignores
# it), FUZZ_ARGS (more libFuzzer flags, e.g. "-jobs=2"), SWIFTC.
#
# Not a SwiftPM target: libFuzzer supplies main(), and `swift build
# --sanitize=fuzzer` would instrument and link every target of the package.
# Instead TrainerKit is compiled once as a module with coverage and ASan
# (-enable-testing, so the properties can reach internal types such as
# CSVReader with `@testable import`), and each target links against it.
set -euo pipefail

cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_BUILD=${FUZZ_BUILD:-.build/fuzz}
FUZZ_OUT=${FUZZ_OUT:-Fuzz/Output}
FUZZ_ARGS=${FUZZ_ARGS:-}

build_only=0
targets=()
for argument in "$@"; do
    case "$argument" in
        --build-only) build_only=1 ;;
        *) targets+=("$argument") ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for file in Fuzz/Fuzz*.swift; do
        name=$(basename "$file" .swift)
        name=${name#Fuzz}
        [ "$name" = Support ] && continue
        targets+=("$(echo "$name" | tr '[:upper:]' '[:lower:]')")
    done
fi

mkdir -p "$FUZZ_BUILD"
build=$(cd "$FUZZ_BUILD" && pwd)
# -sanitize=fuzzer adds libFuzzer's coverage instrumentation (and its main at
# link time); address catches out-of-bounds and use-after-free in the unsafe
# buffer code that Swift's own checks do not see.
flags=(-O -parse-as-library -swift-version 6 -sanitize=fuzzer,address)
# lld links these without gold's "Cannot export local symbol __asan_..." noise.
if command -v ld.lld >/dev/null 2>&1; then link_flags=(-use-ld=lld); else link_flags=(); fi

# The package's own modules that TrainerKit imports (the kernels) are built by
# SwiftPM with --sanitize=address, in debug, so they keep their Package.swift
# settings and dependencies and also their bounds checks (release builds them
# -Ounchecked). TrainerKit itself is compiled here, with libFuzzer's coverage
# instrumentation, -enable-testing and -O.
spm="$build/spm"
dependencies=$(grep -rhoE '^[[:space:]]*(@[A-Za-z_]+ +)*((public|package|internal) +)?import +[A-Za-z_][A-Za-z0-9_]*' \
    --include='*.swift' Sources/TrainerKit | awk '{print $NF}' | sort -u |
    while read -r module; do [ -d "Sources/$module" ] && echo "$module"; done || true)
for module in $dependencies; do
    echo "fuzz: swift build --target $module (address sanitizer)"
    if ! swift build --scratch-path "$spm" --sanitize=address --target "$module" >"$build/$module.log" 2>&1; then
        cat "$build/$module.log" >&2
        echo "fuzz.sh: building $module failed" >&2
        exit 2
    fi
done
objects=()
module_flags=(-I "$spm/debug/Modules")
if [ -n "$dependencies" ]; then
    mapfile -t objects < <(find -L "$spm/debug" -path '*.build/*.o' | sort)
    # C targets, if any, come with module maps.
    while read -r map; do module_flags+=(-Xcc "-fmodule-map-file=$map"); done \
        < <(find -L "$spm/debug" -path '*.build/module.modulemap')
fi

object="$build/TrainerKit.o"
if [ -f "$object" ] && [ -z "$(find Sources/TrainerKit "$spm/debug/Modules" Fuzz/fuzz.sh -newer "$object" -print -quit 2>/dev/null)" ]; then
    echo "fuzz: TrainerKit is up to date"
else
    echo "fuzz: compiling TrainerKit (fuzzer coverage, address sanitizer)"
    mapfile -t sources < <(find Sources/TrainerKit -name '*.swift' | sort)
    "$SWIFTC" "${flags[@]}" "${module_flags[@]}" -enable-testing -wmo -module-name TrainerKit \
        -emit-module -emit-module-path "$build/TrainerKit.swiftmodule" -emit-object -o "$object" "${sources[@]}" || { rm -f "$object"; exit 2; }
fi
objects+=("$object")

for target in "${targets[@]}"; do
    source_file=$(ls Fuzz/Fuzz*.swift | grep -i "^Fuzz/Fuzz${target}\.swift$" || true)
    if [ -z "$source_file" ]; then
        echo "fuzz.sh: no target '$target' (expected Fuzz/Fuzz<Target>.swift)" >&2
        exit 2
    fi
    echo "fuzz: linking fuzz-$target"
    "$SWIFTC" "${flags[@]}" "${link_flags[@]}" "${module_flags[@]}" -I "$build" -module-name "$(basename "$source_file" .swift)" \
        Fuzz/FuzzSupport.swift Tests/TrainerKitTests/Fuzz/FuzzProperties.swift "$source_file" \
        "${objects[@]}" -o "$build/fuzz-$target"
done
[ "$build_only" = 1 ] && exit 0

failed=()
summary=()
for target in "${targets[@]}"; do
    out="$FUZZ_OUT/$target"
    mkdir -p "$out/corpus"
    # Weights files are JSON: that target shares the JSON dictionary.
    dictionary=()
    dictionary_file="Fuzz/$target.dict"
    [ "$target" = weights ] && dictionary_file=Fuzz/json.dict
    [ -f "$dictionary_file" ] && dictionary=(-dict="$dictionary_file")
    # The whole JSONTestSuite (vendored in the test fixtures) seeds the JSON target too.
    seeds=("Fuzz/Corpus/$target")
    [ "$target" = json ] && seeds+=(Tests/TrainerKitTests/Fixtures/JSONTestSuite/test_parsing)
    echo "fuzz: running fuzz-$target for ${FUZZ_SECONDS} s (new inputs in $out/corpus, log in $out/log.txt)"
    status=0
    # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: libFuzzer's
    # default, written out. New inputs go to the first folder; the seeds in
    # Fuzz/Corpus are only read.
    # shellcheck disable=SC2086
    "$build/fuzz-$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/" "${dictionary[@]}" $FUZZ_ARGS \
        "$out/corpus" "${seeds[@]}" >"$out/log.txt" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/log.txt" | awk '{s+=$2} END {print s+0}')
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        summary+=("$target: FAILED (exit $status) after $runs runs; see $out/log.txt")
        tail -n 40 "$out/log.txt"
        ls "$out"/crash-* "$out"/timeout-* "$out"/oom-* "$out"/leak-* 2>/dev/null || true
    else
        summary+=("$target: $runs runs in ${FUZZ_SECONDS} s, no crash")
    fi
done
printf 'fuzz: %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: reproduce with $build/fuzz-TARGET FILE; once fixed, copy the input to Fuzz/Regressions/TARGET/" >&2
    exit 1
fi
