# Thin wrappers over the Swift package manager; each target is a line or two
# you could type yourself.
SWIFT ?= swift
PREFIX ?= /usr/local
RELEASE := .build/release/trainer

# Seconds each fuzz target runs in `make fuzz`.
FUZZ_SECONDS ?= 60

.PHONY: all build test example mnist bench lint install clean fuzz

all: build

build:
	$(SWIFT) build -c release

# The whole test suite: unit, reference, error-table and end-to-end tests;
# then the same suite under the address sanitizer (overruns in the kernels'
# and readers' unsafe pointers, which -O does not check) and the thread
# sanitizer (races in the threaded kernels, and between commands the tests run
# in parallel in one process), each in its own build folder so that none
# rebuilds the others. See docs/testing.md.
# - allocator_may_return_null=1: G1 asks malloc for 281 GiB and expects NULL;
#   by default the sanitizers' allocators abort instead.
# - detect_leaks=0: every leak LeakSanitizer reports is in XCTest or
#   Foundation (XCTMain, FileManager.contents, Process.run), none in trainer.
# - E4 is skipped under the thread sanitizer: TSan's runtime writes a 512 KiB
#   /tmp/tsan.rodata.PID and maps it, so under E4's `ulimit -f 100` (and 1)
#   the file is short and the process dies of SIGBUS in TSan itself. The
#   plain and address-sanitizer runs cover E4.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test
	ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
		$(SWIFT) test --sanitize=address --scratch-path .build/sanitize-address
	TSAN_OPTIONS=allocator_may_return_null=1 \
		$(SWIFT) test --sanitize=thread --scratch-path .build/sanitize-thread --skip 'FaultTests/Filesystem/e4\(\)'

# Builds the libFuzzer targets in Fuzz/ and runs each FUZZ_SECONDS; fails on a
# crash, whose input stays in Fuzz/Output/TARGET/. See docs/testing.md.
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./Fuzz/fuzz.sh

# Trains the built-in XOR example (no files needed), then shows what it learnt.
example: build
	$(RELEASE) run --example xor
	printf '0,0\n0,1\n1,0\n1,1\n' | $(RELEASE) predict out/xor.weights.json

# MNIST's four IDX files into data/mnist/ (copied from ../shared/data/mnist,
# else downloaded), each checked against its published MD5.
mnist:
	./scripts/fetch-mnist.sh

# trainer against the numpy peer on MNIST, side by side (needs numpy).
bench: build mnist
	python3 bench/bench.py

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests

install: build
	install -d $(PREFIX)/bin
	install $(RELEASE) $(PREFIX)/bin/trainer

clean:
	rm -rf .build out
