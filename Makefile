# Thin wrappers over the Swift package manager; each target is a line or two
# you could type yourself.
SWIFT ?= swift
PREFIX ?= /usr/local
RELEASE := .build/release/trainer
# The self-contained binary: the Swift runtime linked in, built in its own
# folder so that it and the normal build never rebuild each other.
DIST_BUILD := .build/dist

# The commit `trainer --version` names (Package.swift passes it to the one C
# file that holds it); a tree without git says unknown.
export TRAINER_COMMIT ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Seconds each fuzz target runs in `make fuzz`.
FUZZ_SECONDS ?= 60
# Cases of `make fuzz-cli`, and their seed (by default the clock's seconds).
FUZZ_CLI_CASES ?= 5000
FUZZ_SEED := $(if $(FUZZ_SEED),$(FUZZ_SEED),$(shell date +%s))

.PHONY: all build dist test test-plain test-sanitize test-dist example mnist bench lint install uninstall clean fuzz fuzz-cli

all: build

build:
	$(SWIFT) build -c release

# The whole test suite, what CI runs (.ci/run), in four parts that can also
# be run alone: `make lint`; `make test-plain`, the unit, reference,
# error-table and end-to-end tests (scripts/test-venv.sh first puts onnx and
# onnxruntime in .build/test-venv for the export tests, scripts/test-tools.sh
# GNU parallel for the grid recipe's; they skip, saying why, when it cannot); `make test-sanitize`, the same suite under the
# address sanitizer (overruns in the kernels' and readers' unsafe pointers,
# which -O does not check) and the thread sanitizer (races in the threaded
# kernels, and between commands the tests run in parallel in one process),
# each in its own build folder so that none rebuilds the others; and
# `make test-dist`, the self-contained binary of `make dist` run with the
# toolchain hidden and compared with the normal build (scripts/test-dist.sh).
# See docs/testing.md.
test: lint test-plain test-sanitize test-dist

test-plain: build
	./scripts/test-venv.sh
	./scripts/test-tools.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test

# - allocator_may_return_null=1: the tests that ask for more memory than
#   there is expect a refusal; by default the sanitizers' allocators abort.
# - detect_leaks=0: every leak LeakSanitizer reports is in XCTest or
#   Foundation (XCTMain, FileManager.contents, Process.run), none in trainer.
# - E4 is skipped under the thread sanitizer: TSan's runtime writes a 512 KiB
#   /tmp/tsan.rodata.PID and maps it, so under E4's `ulimit -f 100` (and 1)
#   the file is short and the process dies of SIGBUS in TSan itself. The
#   plain and address-sanitizer runs cover E4.
test-sanitize:
	./scripts/test-venv.sh
	ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
		$(SWIFT) test --sanitize=address --scratch-path .build/sanitize-address
	TSAN_OPTIONS=allocator_may_return_null=1 \
		$(SWIFT) test --sanitize=thread --scratch-path .build/sanitize-thread --skip 'FaultTests/Filesystem/e4\(\)'

test-dist: build dist
	./scripts/test-dist.sh

# Builds the libFuzzer targets in Fuzz/ and runs each FUZZ_SECONDS; fails on a
# crash, whose input stays in Fuzz/Output/TARGET/. See docs/testing.md.
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./Fuzz/fuzz.sh

# The command-line fuzzer: FUZZ_CLI_CASES seeded random command lines and
# config values run through the built trainer, which must never trap; the
# seed is printed, so that a failure can be run again with FUZZ_SEED=N. See
# docs/testing.md.
fuzz-cli:
	@echo "fuzz-cli: FUZZ_SEED=$(FUZZ_SEED) FUZZ_CLI_CASES=$(FUZZ_CLI_CASES)"
	TRAINER_FUZZ_SEED=$(FUZZ_SEED) TRAINER_FUZZ_CASES=$(FUZZ_CLI_CASES) $(SWIFT) test --filter CommandLineFuzzTests

# Trains the built-in XOR example (no files needed), then shows what it learnt.
example: build
	$(RELEASE) run --example xor
	printf '0,0\n0,1\n1,0\n1,1\n' | $(RELEASE) predict out/xor.weights.json

# MNIST's four IDX files into data/mnist/, each checked against its published
# MD5: from the folder MNIST_FROM names (`make mnist MNIST_FROM=DIR`, files raw
# or .gz), else from ../shared/data/mnist when present, else downloaded from
# one of two mirrors. See scripts/fetch-mnist.sh.
mnist:
	./scripts/fetch-mnist.sh

# trainer against its peers, side by side in one run (needs numpy; PyTorch
# joins the grid when installed): the MNIST table (bench/bench.py), then the
# width x batch grid with GFLOP/s and the FMA floor (bench/grid.py).
bench: build mnist
	python3 bench/bench.py
	python3 bench/grid.py

# swift-format with .swift-format (4 spaces, 140 columns); zero findings, or
# it fails. `swift format format -i --recursive Sources Tests Package.swift`
# fixes most of what it reports.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

# dist/trainer: one binary for any x86-64 Linux, with or without Swift (the
# Swift runtime linked in; it needs only libc, libm, libstdc++ and libgcc_s),
# stripped; and dist/trainer-VERSION-linux-ARCH.tar.gz, a folder of the same
# name holding bin/trainer, the man page and the completion scripts, laid out
# as under PREFIX (tar -xzf it with --strip-components=1 -C /usr/local).
dist:
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path $(DIST_BUILD) --product trainer
	rm -rf dist && mkdir -p dist
	strip -o dist/trainer $(DIST_BUILD)/release/trainer
	name=trainer-$$(dist/trainer --version | sed -n '1s/^trainer //p')-linux-$$(uname -m) && \
	pkg=dist/$$name && \
	mkdir -p $$pkg/bin $$pkg/share/man/man1 $$pkg/share/bash-completion/completions $$pkg/share/zsh/site-functions && \
	cp dist/trainer $$pkg/bin/trainer && \
	dist/trainer help --man > $$pkg/share/man/man1/trainer.1 && \
	dist/trainer completion bash > $$pkg/share/bash-completion/completions/trainer && \
	dist/trainer completion zsh > $$pkg/share/zsh/site-functions/_trainer && \
	tar -C dist --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf $$pkg.tar.gz $$name
	@ls -l dist/trainer dist/*.tar.gz

# Installs what `make dist` built under PREFIX (DESTDIR for packagers): the
# binary, the man page and the bash and zsh completions, each where its tool
# looks (bash-completion, the package, loads share/bash-completion/completions;
# zsh needs PREFIX/share/zsh/site-functions in its fpath, as /usr/local's is).
install: dist
	pkg=$$(ls -d dist/trainer-*/) && \
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions && \
	install -m 755 $$pkg/bin/trainer $(DESTDIR)$(PREFIX)/bin/trainer && \
	install -m 644 $$pkg/share/man/man1/trainer.1 $(DESTDIR)$(PREFIX)/share/man/man1/trainer.1 && \
	install -m 644 $$pkg/share/bash-completion/completions/trainer \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/trainer && \
	install -m 644 $$pkg/share/zsh/site-functions/_trainer $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_trainer

# Removes exactly the four files install put there.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/trainer $(DESTDIR)$(PREFIX)/share/man/man1/trainer.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/trainer \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_trainer

clean:
	rm -rf .build out dist
