#!/usr/bin/env python3
"""An independent float64 reference for `trainer run` (docs/contract.md), and the
fixtures that Tests/TrainerKitTests/Training/ReferenceTrainingTests.swift
compares the Swift implementation against.

Pure Python 3, standard library only (no numpy), so that every sum is written
out in the order it is taken. It is written from the mathematics of docs/contract.md
("Notation"), not translated from the Swift sources:

  row vectors, one sample at a time:
    z[k] = a[k] . W[k] + b[k]       (z_j = b_j, then z_j += a_p * W[p][j], p = 0, 1, ...)
    a[k+1] = f(z[k])
  output delta  delta[L-1] = dE/dz[L-1]   (a - t for cross-entropy with softmax or sigmoid)
  hidden deltas delta[k-1] = (delta[k] . W[k]^T) * f'(z[k-1])  (weights before the update)
  gradients     dE/dW[k] = (sum over the batch rows, in batch order, of a[k]^T delta[k]) / m
                dE/db[k] = (sum over the batch rows of delta[k]) / m
  update        W -= lr * dE/dW,  b -= lr * dE/db   (after the whole batch)
  epoch loss    (sum of the per-sample losses of the epoch's forward passes) / n

Randomness: xoshiro256** (Blackman & Vigna) seeded with four SplitMix64
outputs; integers in [0, bound) by Lemire's multiply-and-reject method;
Fisher-Yates from the last index down; initial weights U(-l, l) drawn layer
by layer, row-major, with l = sqrt(6/(fan_in+fan_out)) (Xavier) or
sqrt(6/fan_in) (He, for relu layers); the shuffle continues the same stream.

Usage: python3 Tests/Reference/reference.py    (no arguments)
It (re)writes Tests/TrainerKitTests/Fixtures/reference/*.json, deterministically.
"""

import json
import math
import os
import random

MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------------------
# Random numbers


class Xoshiro256StarStar:
    """xoshiro256** 1.0, state seeded by SplitMix64 as its authors recommend."""

    def __init__(self, seed):
        x = seed & MASK64
        words = []
        for _ in range(4):
            # SplitMix64 (Steele, Lea, Flood 2014)
            x = (x + 0x9E3779B97F4A7C15) & MASK64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            words.append(z ^ (z >> 31))
        self.s = words

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK64

    def next(self):
        s = self.s
        result = (self._rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def bounded(self, bound):
        """Uniform integer in [0, bound): Lemire (2019), 'Fast random integer
        generation in an interval', with the 128-bit product."""
        assert bound > 0
        product = self.next() * bound
        low = product & MASK64
        if low < bound:
            threshold = ((1 << 64) - bound) % bound
            while low < threshold:
                product = self.next() * bound
                low = product & MASK64
        return product >> 64

    def unit(self):
        """Uniform double in [0, 1) from the top 53 bits."""
        return float(self.next() >> 11) * (2.0 ** -53)


def shuffled_order(n, rng):
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.bounded(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


# ---------------------------------------------------------------------------
# Activations, losses


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def activate(name, zs):
    if name == "sigmoid":
        return [sigmoid(z) for z in zs]
    if name == "tanh":
        return [math.tanh(z) for z in zs]
    if name == "relu":
        return [z if z > 0 else 0.0 for z in zs]
    if name == "linear":
        return list(zs)
    if name == "softmax":
        top = max(zs)
        es = [math.exp(z - top) for z in zs]
        total = 0.0
        for e in es:
            total += e
        return [e / total for e in es]
    raise ValueError(name)


def derivative(name, z, a):
    """f'(z), from a = f(z) where that is how it is usually written."""
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return 1.0 if z > 0 else 0.0
    if name == "linear":
        return 1.0
    raise ValueError(name)


def dE_dz_from_dE_da(name, g, zs, a):
    """Chain rule through one layer's activation: delta = (da/dz)^T g."""
    if name == "softmax":
        # da_i/dz_j = a_i (1[i=j] - a_j)  =>  delta_j = a_j (g_j - sum_i g_i a_i)
        dot = 0.0
        for gi, ai in zip(g, a):
            dot += gi * ai
        return [aj * (gj - dot) for gj, aj in zip(g, a)]
    if name == "linear":
        return list(g)
    return [gj * derivative(name, zj, aj) for gj, zj, aj in zip(g, zs, a)]


def softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def sample_loss(loss, output_activation, zs, a, t):
    n = len(a)
    if loss == "sse":
        total = 0.0
        for aj, tj in zip(a, t):
            d = tj - aj
            total += d * d
        return total / 2.0
    if loss == "mse":
        total = 0.0
        for aj, tj in zip(a, t):
            d = tj - aj
            total += d * d
        return total / n
    if loss == "cross_entropy":
        if output_activation == "softmax":
            # log a_j = z_j - logsumexp(z)
            top = max(zs)
            s = 0.0
            for z in zs:
                s += math.exp(z - top)
            log_sum = top + math.log(s)
            total = 0.0
            for zj, tj in zip(zs, t):
                if tj != 0:
                    total -= tj * (zj - log_sum)
            return total
        if output_activation == "sigmoid":
            # -[t log s(z) + (1-t) log(1 - s(z))] = t softplus(-z) + (1-t) softplus(z)
            total = 0.0
            for zj, tj in zip(zs, t):
                total += tj * softplus(-zj) + (1.0 - tj) * softplus(zj)
            return total
    raise ValueError((loss, output_activation))


def output_delta(loss, output_activation, zs, a, t):
    n = len(a)
    if loss == "cross_entropy":
        return [aj - tj for aj, tj in zip(a, t)]  # dE/dz directly
    if loss == "sse":
        g = [aj - tj for aj, tj in zip(a, t)]
    elif loss == "mse":
        g = [2.0 * (aj - tj) / n for aj, tj in zip(a, t)]
    else:
        raise ValueError(loss)
    return dE_dz_from_dE_da(output_activation, g, zs, a)


# ---------------------------------------------------------------------------
# Network


def initial_weights(layers, activations, scheme, rng):
    weights = []
    for k in range(len(layers) - 1):
        fan_in, fan_out = layers[k], layers[k + 1]
        chosen = scheme or ("he" if activations[k] == "relu" else "xavier")
        if chosen == "xavier":
            limit = math.sqrt(6.0 / (fan_in + fan_out))
        else:
            limit = math.sqrt(6.0 / fan_in)
        weights.append([[(2.0 * rng.unit() - 1.0) * limit for _ in range(fan_out)] for _ in range(fan_in)])
    return weights


def forward(weights, biases, activations, x):
    """Returns (zs, as_) with as_[0] = x."""
    as_ = [list(x)]
    zs = []
    for k, (W, b) in enumerate(zip(weights, biases)):
        a = as_[-1]
        z = []
        for j in range(len(b)):
            s = b[j]
            for p in range(len(a)):
                s += a[p] * W[p][j]
            z.append(s)
        zs.append(z)
        as_.append(activate(activations[k], z))
    return zs, as_


def train(config):
    """Trains as `trainer run` would; returns (epoch_losses, weights, biases)."""
    net, tr = config["network"], config["training"]
    layers = net["layers"]
    if "activations" in net:
        activations = list(net["activations"])
    else:
        activations = [net.get("activation", "sigmoid")] * (len(layers) - 1)
    loss = tr.get("loss", "sse")
    lr = float(tr["learning_rate"])
    epochs = tr["epochs"]
    batch_size = tr.get("batch_size", 1)
    shuffle = tr.get("shuffle", True)
    rng = Xoshiro256StarStar(tr.get("seed", 0))
    optimizer = Optimizer(tr.get("optimizer", "sgd"), float(tr.get("l2", 0.0)))
    schedule = tr.get("lr_schedule", "constant")

    if "weights" in net:
        weights = [[[float(w) for w in row] for row in W] for W in net["weights"]]
    else:
        weights = initial_weights(layers, activations, net.get("init"), rng)
    if "biases" in net:
        biases = [[float(v) for v in b] for b in net["biases"]]
    else:
        biases = [[0.0] * n for n in layers[1:]]

    inputs = [[float(v) for v in row] for row in config["data"]["train"]["inputs"]]
    targets = [[float(v) for v in row] for row in config["data"]["train"]["targets"]]
    n = len(inputs)
    L = len(weights)
    out_act = activations[-1]

    epoch_losses = []
    for epoch in range(1, epochs + 1):
        rate = scheduled_rate(schedule, lr, epoch)
        order = shuffled_order(n, rng) if shuffle else list(range(n))
        loss_sum = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            m = len(batch)
            gW = [[[0.0] * len(W[0]) for _ in W] for W in weights]
            gb = [[0.0] * len(b) for b in biases]
            for s in batch:  # batch order
                zs, as_ = forward(weights, biases, activations, inputs[s])
                t = targets[s]
                loss_sum += sample_loss(loss, out_act, zs[-1], as_[-1], t)
                delta = output_delta(loss, out_act, zs[-1], as_[-1], t)
                for k in range(L - 1, -1, -1):
                    a = as_[k]
                    for p in range(len(a)):
                        for j in range(len(delta)):
                            gW[k][p][j] += a[p] * delta[j]
                    for j in range(len(delta)):
                        gb[k][j] += delta[j]
                    if k > 0:
                        W = weights[k]  # not yet updated: updates wait for the whole batch
                        back = []
                        for p in range(len(W)):
                            s_ = 0.0
                            for j in range(len(delta)):
                                s_ += delta[j] * W[p][j]
                            back.append(s_)
                        delta = dE_dz_from_dE_da(activations[k - 1], back, zs[k - 1], as_[k])
            optimizer.step(weights, biases, gW, gb, m, rate)
        epoch_losses.append(loss_sum / n)
    return epoch_losses, weights, biases


class Optimizer:
    """The update rules of torch.optim, written out for lists of floats.

    g = (batch sum of gradients) / m, plus λ·W for weights (L2; never biases);
    sgd: W -= η·g; momentum: v = μ·v + g, W -= η·v (Nesterov: W -= η·(g + μ·v));
    adam: m = β1·m + (1-β1)·g, v = β2·v + (1-β2)·g², W -= η·m̂/(√v̂ + ε) with
    m̂ = m/(1-β1^t), v̂ = v/(1-β2^t), t counting the updates.
    """

    def __init__(self, spec, l2):
        if isinstance(spec, str):
            spec = {"name": spec}
        self.name = spec["name"]
        self.momentum = float(spec.get("momentum", 0.9))
        self.nesterov = bool(spec.get("nesterov", False))
        self.beta1 = float(spec.get("beta1", 0.9))
        self.beta2 = float(spec.get("beta2", 0.999))
        self.epsilon = float(spec.get("epsilon", 1e-8))
        self.l2 = l2
        self.t = 0
        self.state = {}

    def _update(self, key, values, gradients, decay, rate, c1, c2):
        if key not in self.state:
            self.state[key] = ([0.0] * len(values), [0.0] * len(values))
        first, second = self.state[key]
        for i in range(len(values)):
            g = gradients[i] + decay * values[i]
            if self.name == "sgd":
                values[i] -= rate * g
            elif self.name == "momentum":
                first[i] = self.momentum * first[i] + g
                values[i] -= rate * ((g + self.momentum * first[i]) if self.nesterov else first[i])
            else:
                first[i] = self.beta1 * first[i] + (1 - self.beta1) * g
                second[i] = self.beta2 * second[i] + (1 - self.beta2) * g * g
                values[i] -= rate * (first[i] / c1) / (math.sqrt(second[i] / c2) + self.epsilon)

    def step(self, weights, biases, gW, gb, m, rate):
        self.t += 1
        c1 = 1 - self.beta1 ** self.t
        c2 = 1 - self.beta2 ** self.t
        for k in range(len(weights)):
            for p in range(len(weights[k])):
                self._update(("W", k, p), weights[k][p], [g / m for g in gW[k][p]], self.l2, rate, c1, c2)
            self._update(("b", k), biases[k], [g / m for g in gb[k]], 0.0, rate, c1, c2)


def scheduled_rate(schedule, rate, epoch):
    """The learning rate of epoch `epoch` (1-based) under a schedule."""
    if isinstance(schedule, str):
        schedule = {"name": schedule}
    name = schedule["name"]
    if name == "constant":
        return rate
    if name == "step":
        return rate * schedule.get("factor", 0.5) ** ((epoch - 1) // schedule["every"])
    if name == "exponential":
        return rate * schedule["factor"] ** (epoch - 1)
    if name == "cosine":
        total = schedule["epochs"]
        low = schedule.get("minimum", 0.0)
        return low + (rate - low) * (1 + math.cos(math.pi * min(epoch - 1, total) / total)) / 2
    raise ValueError(name)


# ---------------------------------------------------------------------------
# Fixtures


def uniform_matrix(rnd, rows, columns, scale):
    return [[rnd.uniform(-scale, scale) for _ in range(columns)] for _ in range(rows)]


def explicit_network(rnd, layers, scale=1.0, bias_scale=0.5):
    weights = [uniform_matrix(rnd, layers[k], layers[k + 1], scale) for k in range(len(layers) - 1)]
    biases = [[rnd.uniform(-bias_scale, bias_scale) for _ in range(n)] for n in layers[1:]]
    return weights, biases


def rounded(values, digits=3):
    return [round(v, digits) for v in values]


def cases():
    out = []

    # 1. sigmoid 2-4-3-2, sse, batch 1, shuffled, explicit weights.
    rnd = random.Random(20240601)
    weights, biases = explicit_network(rnd, [2, 4, 3, 2])
    inputs = [rounded([rnd.uniform(-1, 1), rnd.uniform(-1, 1)]) for _ in range(8)]
    targets = [[1.0 if x[0] * x[1] > 0 else 0.0, round(0.5 + 0.4 * math.sin(3 * x[0] + x[1]), 3)] for x in inputs]
    data = {"inputs": inputs, "targets": targets}
    out.append(("sigmoid_sse_batch1", "sigmoid 2-4-3-2, sse, batch 1, shuffled, explicit weights", {
        "network": {"layers": [2, 4, 3, 2], "activation": "sigmoid", "weights": weights, "biases": biases},
        "training": {"loss": "sse", "learning_rate": 0.5, "epochs": 400, "batch_size": 1, "shuffle": True, "seed": 7},
        "data": {"train": data},
    }))

    # 2. The same net and data, mse, batch 3 of 8 samples (last batch of 2).
    out.append(("sigmoid_mse_batch3", "sigmoid 2-4-3-2, mse, batch 3 of 8 samples (uneven last batch), shuffled", {
        "network": {"layers": [2, 4, 3, 2], "activation": "sigmoid", "weights": weights, "biases": biases},
        "training": {"loss": "mse", "learning_rate": 0.8, "epochs": 1000, "batch_size": 3, "shuffle": True, "seed": 11},
        "data": {"train": data},
    }))

    # 3. Seeded Xavier initialisation (no weights), sigmoid, seed 42.
    rnd = random.Random(42)
    inputs = [rounded([rnd.uniform(0, 1) for _ in range(3)]) for _ in range(10)]
    targets = [[1.0 if x[0] + x[1] > x[2] + 0.5 else 0.0, round(x[0] * x[2], 3)] for x in inputs]
    out.append(("seeded_xavier_sigmoid", "seed 42 Xavier initialisation, sigmoid 3-5-2, sse, batch 2, shuffled", {
        "network": {"layers": [3, 5, 2], "activation": "sigmoid"},
        "training": {"loss": "sse", "learning_rate": 0.7, "epochs": 300, "batch_size": 2, "shuffle": True, "seed": 42},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))

    # 4. tanh hidden, linear output, mse regression; in file order (no shuffle).
    rnd = random.Random(4)
    weights, biases = explicit_network(rnd, [1, 6, 1], scale=0.8, bias_scale=0.3)
    xs = [round(-2.0 + 4.0 * i / 11, 4) for i in range(12)]
    out.append(("tanh_linear_mse_regression", "tanh 1-6 hidden, linear output, mse regression of 1.5 sin(x) + 0.25, batch 1, not shuffled", {
        "network": {"layers": [1, 6, 1], "activations": ["tanh", "linear"], "weights": weights, "biases": biases},
        "training": {"loss": "mse", "learning_rate": 0.02, "epochs": 40, "batch_size": 1, "shuffle": False, "seed": 3},
        "data": {"train": {"inputs": [[x] for x in xs], "targets": [[round(1.5 * math.sin(x) + 0.25, 4)] for x in xs]}},
    }))

    # 4b. tanh + linear, two real-valued outputs, shuffled, batch 4.
    rnd = random.Random(44)
    weights, biases = explicit_network(rnd, [2, 5, 4, 2], scale=0.7, bias_scale=0.2)
    inputs = [rounded([rnd.uniform(-1.5, 1.5), rnd.uniform(-1.5, 1.5)]) for _ in range(12)]
    targets = [[round(x[0] * x[1] - 0.5, 4), round(2.0 * math.cos(x[0]) + x[1], 4)] for x in inputs]
    out.append(("tanh_linear_mse_batch4", "tanh 2-5-4 hidden, linear 2 outputs, mse regression, batch 4, shuffled", {
        "network": {"layers": [2, 5, 4, 2], "activations": ["tanh", "tanh", "linear"], "weights": weights, "biases": biases},
        "training": {"loss": "mse", "learning_rate": 0.05, "epochs": 100, "batch_size": 4, "shuffle": True, "seed": 5},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))

    # 5. relu hidden, sigmoid output, binary cross-entropy, explicit weights.
    rnd = random.Random(5)
    weights, biases = explicit_network(rnd, [2, 5, 1], scale=1.0, bias_scale=0.3)
    inputs = [rounded([rnd.uniform(-1, 1), rnd.uniform(-1, 1)]) for _ in range(8)]
    targets = [[1.0 if x[0] * x[0] + x[1] * x[1] < 0.5 else 0.0] for x in inputs]
    out.append(("relu_sigmoid_binary_ce", "relu 2-5 hidden, sigmoid output, binary cross-entropy, batch 2, shuffled, explicit weights", {
        "network": {"layers": [2, 5, 1], "activations": ["relu", "sigmoid"], "weights": weights, "biases": biases},
        "training": {"loss": "cross_entropy", "learning_rate": 0.3, "epochs": 100, "batch_size": 2, "shuffle": True, "seed": 9},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))

    # 5b. He initialisation (relu layers), Xavier for the sigmoid outputs; multi-label binary CE.
    rnd = random.Random(55)
    inputs = [rounded([rnd.uniform(-1, 1) for _ in range(3)]) for _ in range(9)]
    targets = [[1.0 if x[0] > 0 else 0.0, 1.0 if x[1] + x[2] > 0 else 0.0] for x in inputs]
    out.append(("seeded_he_relu_binary_ce", "seed 123 He initialisation, relu 3-6-4 hidden, 2 sigmoid outputs, binary cross-entropy, batch 1", {
        "network": {"layers": [3, 6, 4, 2], "activations": ["relu", "relu", "sigmoid"]},
        "training": {"loss": "cross_entropy", "learning_rate": 0.05, "epochs": 40, "batch_size": 1, "shuffle": True, "seed": 123},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))

    # 6. softmax output, cross-entropy, one-hot targets over 3 classes, sigmoid hidden.
    rnd = random.Random(6)
    weights, biases = explicit_network(rnd, [2, 5, 3], scale=1.0, bias_scale=0.3)
    inputs, targets = [], []
    centres = [(-0.6, -0.4), (0.7, -0.2), (0.0, 0.8)]
    for i in range(12):
        c = i % 3
        inputs.append(rounded([centres[c][0] + rnd.uniform(-0.4, 0.4), centres[c][1] + rnd.uniform(-0.4, 0.4)]))
        targets.append([1.0 if j == c else 0.0 for j in range(3)])
    out.append(("softmax_cross_entropy", "sigmoid 2-5 hidden, softmax 3 outputs, cross-entropy, one-hot targets, batch 3, shuffled", {
        "network": {"layers": [2, 5, 3], "activations": ["sigmoid", "softmax"], "weights": weights, "biases": biases},
        "training": {"loss": "cross_entropy", "learning_rate": 0.5, "epochs": 100, "batch_size": 3, "shuffle": True, "seed": 13},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))

    # 7. softmax output with sse: the softmax Jacobian product in the output delta.
    rnd = random.Random(7)
    weights, biases = explicit_network(rnd, [2, 4, 3], scale=1.0, bias_scale=0.3)
    inputs = [rounded([rnd.uniform(-1, 1), rnd.uniform(-1, 1)]) for _ in range(6)]
    targets = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.2, 0.5, 0.3], [0.0, 1.0, 0.0], [0.6, 0.1, 0.3]]
    out.append(("softmax_sse", "sigmoid 2-4 hidden, softmax 3 outputs, sse (softmax Jacobian product), batch 1, shuffled", {
        "network": {"layers": [2, 4, 3], "activations": ["sigmoid", "softmax"], "weights": weights, "biases": biases},
        "training": {"loss": "sse", "learning_rate": 0.5, "epochs": 8, "batch_size": 1, "shuffle": True, "seed": 17},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))

    # 7b. softmax output with mse, mini-batches.
    out.append(("softmax_mse_batch4", "sigmoid 2-4 hidden, softmax 3 outputs, mse, batch 4 of 6 samples, shuffled", {
        "network": {"layers": [2, 4, 3], "activations": ["sigmoid", "softmax"], "weights": weights, "biases": biases},
        "training": {"loss": "mse", "learning_rate": 1.0, "epochs": 30, "batch_size": 4, "shuffle": True, "seed": 19},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))
    # 8. Optimizers, L2 and learning-rate schedules (issue 6).
    rnd = random.Random(806)
    weights, biases = explicit_network(rnd, [2, 4, 3, 2])
    inputs = [[rnd.uniform(-1, 1), rnd.uniform(-1, 1)] for _ in range(8)]
    targets = [[rnd.uniform(0.1, 0.9), rnd.uniform(0.1, 0.9)] for _ in range(8)]
    net = {"layers": [2, 4, 3, 2], "activation": "sigmoid", "weights": weights, "biases": biases}
    out.append(("momentum_step_schedule", "sigmoid 2-4-3-2, sse, momentum 0.9, step schedule (x0.5 every 20 epochs), batch 2", {
        "network": net,
        "training": {"learning_rate": 0.5, "epochs": 100, "batch_size": 2, "seed": 21,
                     "optimizer": {"name": "momentum", "momentum": 0.9}, "lr_schedule": {"name": "step", "every": 20, "factor": 0.5}},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))
    out.append(("nesterov_l2", "sigmoid 2-4-3-2, mse, Nesterov momentum 0.8, L2 0.001, batch 3", {
        "network": net,
        "training": {"loss": "mse", "learning_rate": 0.3, "epochs": 100, "batch_size": 3, "seed": 22, "l2": 0.001,
                     "optimizer": {"name": "momentum", "momentum": 0.8, "nesterov": True}},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))
    out.append(("sgd_l2_exponential", "sigmoid 2-4-3-2, sse, sgd, L2 0.01, exponential schedule x0.97, batch 1", {
        "network": net,
        "training": {"learning_rate": 1.0, "epochs": 60, "batch_size": 1, "seed": 23, "l2": 0.01,
                     "lr_schedule": {"name": "exponential", "factor": 0.97}},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))
    rnd = random.Random(807)
    weights, biases = explicit_network(rnd, [2, 5, 3])
    inputs = [[rnd.uniform(-1, 1), rnd.uniform(-1, 1)] for _ in range(9)]
    targets = [[1.0 if j == i % 3 else 0.0 for j in range(3)] for i in range(9)]
    out.append(("adam_softmax_cosine", "tanh 2-5, softmax 3, cross-entropy, adam, cosine schedule over 40 epochs, batch 3", {
        "network": {"layers": [2, 5, 3], "activations": ["tanh", "softmax"], "weights": weights, "biases": biases},
        "training": {"loss": "cross_entropy", "learning_rate": 0.05, "epochs": 50, "batch_size": 3, "seed": 24,
                     "optimizer": "adam", "lr_schedule": {"name": "cosine", "epochs": 40, "minimum": 0.001}},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))
    out.append(("adam_l2_custom", "sigmoid 2-5-3, sse, adam (0.8, 0.99, 1e-6), L2 0.0005, batch 2", {
        "network": {"layers": [2, 5, 3], "activation": "sigmoid", "weights": weights, "biases": biases},
        "training": {"learning_rate": 0.02, "epochs": 40, "batch_size": 2, "seed": 25, "l2": 0.0005,
                     "optimizer": {"name": "adam", "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}},
        "data": {"train": {"inputs": inputs, "targets": targets}},
    }))
    return out


def dump(value, indent=""):
    """JSON with floats written by repr() (as json.dumps does), so they read
    back exactly; lists of numbers on one line, to keep the files readable."""
    step = "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [indent + step + json.dumps(k) + ": " + dump(v, indent + step) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        if all(not isinstance(v, (list, dict)) for v in value):
            return "[" + ", ".join(json.dumps(v) for v in value) + "]"
        items = [indent + step + dump(v, indent + step) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(here, "..", "TrainerKitTests", "Fixtures", "reference")
    folder = os.path.normpath(folder)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".json"):
            os.remove(os.path.join(folder, name))
    for name, description, config in cases():
        config["output"] = {"weights": "out/%s.weights.json" % name, "loss_log": "out/%s.loss.csv" % name}
        losses, weights, biases = train(config)
        for value in losses:
            assert math.isfinite(value), name
        n = len(config["data"]["train"]["inputs"])
        b = config["training"].get("batch_size", 1)
        updates = config["training"]["epochs"] * ((n + b - 1) // b)
        fixture = {
            "description": description + " (%d updates)" % updates,
            "config": config,
            "epoch_losses": losses,
            "final_weights": weights,
            "final_biases": biases,
        }
        # round-trip check of the written floats
        text = dump(fixture)
        assert json.loads(text) == fixture
        with open(os.path.join(folder, name + ".json"), "w") as f:
            f.write(text + "\n")
        print("%-28s %5d updates  loss %.6g -> %.6g" % (name, updates, losses[0], losses[-1]))


if __name__ == "__main__":
    main()
