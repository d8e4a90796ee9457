#!/usr/bin/env python3
"""Golden values for resizing a ViT's learned positions (PositionGrid.resample), from
PyTorch's bilinear interpolation with half-pixel centres (align_corners=False).

Regenerate (from the repository root):
    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install /opt/wheels/torch-*.whl numpy
    /tmp/ref/bin/python Tests/Fixtures/golden/make_resample_golden.py

Writes resample_positions.json: for each case "g_h_w", the grid "in" [g*g, w] (rows in
reading order) and "out" [h*h, w]; and resize_patch_kernels.json: for each case
"p_q_count", kernels "in" [count, p*p] and "out" [count, q*q] = pinv(B^T) w.
"""
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(4321)

out = {}
# Up (clip-small 128 -> 224 px is 8 -> 14), down, and a non-integer ratio.
for g, h, w in [(8, 14, 3), (4, 7, 2), (7, 4, 2), (3, 5, 1)]:
    grid = torch.randn(g * g, w)
    image = grid.reshape(g, g, w).permute(2, 0, 1).unsqueeze(0)  # [1, w, g, g]
    resized = F.interpolate(image, size=(h, h), mode="bilinear", align_corners=False)
    rows = resized[0].permute(1, 2, 0).reshape(h * h, w)
    for name, t in (("in", grid), ("out", rows)):
        out[f"{g}_{h}_{w}_{name}"] = {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}

with open(os.path.join(HERE, "resample_positions.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote resample_positions.json")

# Patch kernels resized by pinv(B^T) w (FlexiViT), B the bilinear resize of p x p patches to
# q x q built from torch's interpolate on the basis patches.
kernels = {}
for p, q, count in [(2, 3, 3), (4, 7, 2)]:
    basis = torch.eye(p * p).reshape(p * p, 1, p, p)
    B = F.interpolate(basis, size=(q, q), mode="bilinear", align_corners=False).reshape(p * p, q * q).T  # [q*q, p*p]
    w = torch.randn(count, p * p)
    resized = (torch.linalg.pinv(B.T.double()) @ w.T.double()).T.float()  # [count, q*q]
    for name, t in (("in", w), ("out", resized)):
        kernels[f"{p}_{q}_{count}_{name}"] = {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}
with open(os.path.join(HERE, "resize_patch_kernels.json"), "w") as f:
    json.dump(kernels, f, separators=(",", ":"))
print("wrote resize_patch_kernels.json")
