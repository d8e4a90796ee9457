#!/usr/bin/env python3
"""Golden values for the hit-rate statistics (ChartCLIPSupport's Proportions): Wilson 95%
intervals and exact two-sided binomial tests from scipy, pooled two-proportion z-tests from
statsmodels, and the expected calibration error of a small fixed set of predictions computed
by the textbook definition (Guo et al., 2017: equal-width confidence bins [b/10, (b+1)/10),
weighted by count).

Regenerate (from the repository root):
    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install scipy statsmodels numpy
    /tmp/ref/bin/python Tests/Fixtures/golden/make_stats_golden.py

Writes stats.json: "wilson" [[k, n, lower, upper]], "binomial" [[k, n, p, p_value]],
"two_proportion" [[k1, n1, k2, n2, z, p_value]], "ece" {"confidence", "correct", "bins", "value"}.
"""
import json
import os

import numpy as np
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportions_ztest

HERE = os.path.dirname(os.path.abspath(__file__))

wilson = []
for k, n in [(0, 10), (1, 10), (5, 10), (10, 10), (28, 112), (112, 112), (3, 1000), (850, 1000), (49, 189)]:
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    wilson.append([k, n, float(ci.low), float(ci.high)])

binomial = []
for k, n, p in [(7, 20, 0.2), (0, 30, 0.085), (15, 100, 0.085), (60, 100, 0.5), (3, 400, 0.015), (52, 189, 0.3)]:
    binomial.append([k, n, p, float(binomtest(k, n, p, alternative="two-sided").pvalue)])

two = []
for k1, n1, k2, n2 in [(28, 112, 25, 112), (40, 100, 20, 100), (5, 60, 9, 61), (300, 1000, 250, 900)]:
    z, pv = proportions_ztest([k1, k2], [n1, n2])
    two.append([k1, n1, k2, n2, float(z), float(pv)])

rng = np.random.default_rng(2026)
confidence = rng.uniform(0, 1, 200)
correct = (rng.uniform(0, 1, 200) < confidence ** 1.5).astype(int)
bins = 10
index = np.minimum(bins - 1, np.floor(confidence * bins).astype(int))  # bins [b/10, (b+1)/10)
ece = 0.0
for b in range(bins):
    inside = index == b
    if inside.sum() == 0:
        continue
    ece += inside.sum() / len(confidence) * abs(correct[inside].mean() - confidence[inside].mean())

out = {
    "wilson": wilson, "binomial": binomial, "two_proportion": two,
    "ece": {"confidence": confidence.tolist(), "correct": correct.tolist(), "bins": bins, "value": float(ece)},
}
with open(os.path.join(HERE, "stats.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote stats.json")
