#!/usr/bin/env python3
"""Golden values for the linear probe (LinearProbe.fit): the minimiser of mean cross-entropy
+ lambda * ||W||^2 (biases unpenalised) on standardised features, found by Newton's method
in double precision until the gradient is below 1e-12.

Regenerate (from the repository root):
    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install /opt/wheels/torch-*.whl numpy
    /tmp/ref/bin/python Tests/Fixtures/golden/make_probe_golden.py

Writes linear_probe.json: "features" [N, E] (raw, as the probe receives them), "labels"
[N], and for each lambda in "lambdas" the optimum "weight_<lambda>" [C, E] and
"bias_<lambda>" [C] on features standardised with the training mean and population
deviation, and "value_<lambda>" the objective there.
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(2026)
torch.set_default_dtype(torch.float64)

n_per, e, c = 30, 6, 4
centres = torch.randn(c, e) * 1.2
scales = torch.rand(e) * 3 + 0.2          # dimensions on different scales, as embeddings are
features = torch.cat([(centres[k] + torch.randn(n_per, e)) * scales + 0.5 for k in range(c)])
labels = torch.arange(c).repeat_interleave(n_per)
perm = torch.randperm(len(labels))
features, labels = features[perm], labels[perm]
features = features.float().double()       # what a float32 caller holds

mean = features.mean(0)
dev = features.var(0, unbiased=False).sqrt().clamp_min(1e-6)
x = (features - mean) / dev


def objective(params, lam):
    w = params[: c * e].reshape(c, e)
    b = params[c * e:]
    logits = x @ w.T + b
    return torch.nn.functional.cross_entropy(logits, labels) + lam * (w * w).sum()


out = {
    "features": {"shape": list(features.shape), "data": features.reshape(-1).tolist()},
    "labels": labels.tolist(),
    "lambdas": [1e-2, 1e-3],
}
for lam in out["lambdas"]:
    p = torch.zeros(c * e + c)
    for _ in range(100):
        g = torch.autograd.functional.jacobian(lambda q: objective(q, lam), p)
        if g.abs().max() < 1e-12:
            break
        h = torch.autograd.functional.hessian(lambda q: objective(q, lam), p)
        # The bias block's Hessian is singular along the all-ones direction (softmax is
        # shift-invariant); the pseudo-inverse takes the minimum-norm Newton step.
        p = p - torch.linalg.pinv(h) @ g
    g = torch.autograd.functional.jacobian(lambda q: objective(q, lam), p)
    assert g.abs().max() < 1e-10, g.abs().max()
    w, b = p[: c * e].reshape(c, e), p[c * e:]
    # Biases are defined up to a common shift; centre them so any minimiser compares.
    b = b - b.mean()
    out[f"weight_{lam:g}"] = {"shape": [c, e], "data": w.reshape(-1).tolist()}
    out[f"bias_{lam:g}"] = {"shape": [c], "data": b.tolist()}
    out[f"value_{lam:g}"] = float(objective(p, lam))

with open(os.path.join(HERE, "linear_probe.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote linear_probe.json")
