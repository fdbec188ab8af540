# Thin wrappers over the Swift package manager; each target is a line or two
# you could type yourself.
SWIFT ?= swift
PREFIX ?= /usr/local
RELEASE := .build/release/trainer

.PHONY: all build test example mnist bench lint install clean

all: build

build:
	$(SWIFT) build -c release

# The whole test suite: unit, reference, error-table and end-to-end tests.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test

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
