#!/usr/bin/env python3
"""One training step of the 2-2-2 sigmoid network with biases, worked by hand
in 50-digit decimal arithmetic, independent of trainer's code.

The network is the classic worked example (Matt Mazur, "A Step by Step
Backpropagation Example", 2015; the seeds' tutorials compute the same kind of
net): inputs (0.05, 0.10), targets (0.01, 0.99), learning rate 0.5,
    hidden: h1 = σ(0.15·x1 + 0.20·x2 + 0.35), h2 = σ(0.25·x1 + 0.30·x2 + 0.35)
    output: o1 = σ(0.40·h1 + 0.45·h2 + 0.60), o2 = σ(0.50·h1 + 0.55·h2 + 0.60)
SSE loss E = ½Σ(t - o)². In trainer's convention W[0][i][j] joins input i to
hidden j, so W[0] = [[0.15, 0.25], [0.20, 0.30]] and W[1] = [[0.40, 0.50],
[0.45, 0.55]].

Run it to print the numbers that Tests/TrainerKitTests/Model/WorkedExampleTests.swift
compares with (to 1e-12).
"""
from decimal import Decimal as D, getcontext

getcontext().prec = 50

def sigmoid(z):
    return D(1) / (D(1) + (-z).exp())

x = [D("0.05"), D("0.10")]
t = [D("0.01"), D("0.99")]
W0 = [[D("0.15"), D("0.25")], [D("0.20"), D("0.30")]]
b0 = [D("0.35"), D("0.35")]
W1 = [[D("0.40"), D("0.50")], [D("0.45"), D("0.55")]]
b1 = [D("0.60"), D("0.60")]
eta = D("0.5")

# Forward: z[k] = a[k]·W[k] + b[k], a[k+1] = σ(z[k]).
z0 = [x[0] * W0[0][j] + x[1] * W0[1][j] + b0[j] for j in range(2)]
a1 = [sigmoid(v) for v in z0]
z1 = [a1[0] * W1[0][j] + a1[1] * W1[1][j] + b1[j] for j in range(2)]
a2 = [sigmoid(v) for v in z1]
E = sum((t[j] - a2[j]) ** 2 for j in range(2)) / 2

# Backward.
d1 = [(a2[j] - t[j]) * a2[j] * (1 - a2[j]) for j in range(2)]              # δ[1] = (a - t) ⊙ σ'(z[1])
d0 = [(d1[0] * W1[i][0] + d1[1] * W1[i][1]) * a1[i] * (1 - a1[i]) for i in range(2)]  # δ[0] = (δ[1]·W[1]ᵀ) ⊙ σ'(z[0])
gW1 = [[a1[i] * d1[j] for j in range(2)] for i in range(2)]                # ∂E/∂W[1] = a[1]ᵀ·δ[1]
gW0 = [[x[i] * d0[j] for j in range(2)] for i in range(2)]                 # ∂E/∂W[0] = a[0]ᵀ·δ[0]
newW1 = [[W1[i][j] - eta * gW1[i][j] for j in range(2)] for i in range(2)]
newW0 = [[W0[i][j] - eta * gW0[i][j] for j in range(2)] for i in range(2)]
newb1 = [b1[j] - eta * d1[j] for j in range(2)]
newb0 = [b0[j] - eta * d0[j] for j in range(2)]

def show(name, value):
    if isinstance(value, list):
        if isinstance(value[0], list):
            print(f"{name} = [" + ", ".join("[" + ", ".join(f"{v:.20e}" for v in row) + "]" for row in value) + "]")
        else:
            print(f"{name} = [" + ", ".join(f"{v:.20e}" for v in value) + "]")
    else:
        print(f"{name} = {value:.20e}")

for name, value in [("z0", z0), ("a1", a1), ("z1", z1), ("a2", a2), ("E", E), ("d1", d1), ("d0", d0),
                    ("gW1", gW1), ("gW0", gW0), ("newW1", newW1), ("newW0", newW0), ("newb1", newb1), ("newb0", newb0)]:
    show(name, value)
