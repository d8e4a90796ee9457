#!/usr/bin/env python3
"""Golden values for ChartCLIP's bfloat16 products, computed with PyTorch (CPU).

Regenerate (from the repository root):
    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install /opt/wheels/torch-*.whl numpy
    /tmp/ref/bin/python Tests/Fixtures/golden/make_bf16_golden.py

Writes bf16_products.json next to this script: {name: {"shape": [...], "data": [...]}}.
- round.input_bits / round.output_bits: float32 values (as int32 bit patterns) and PyTorch's rounding to bfloat16 and back
  (`x.to(torch.bfloat16).float()`, round to nearest even), ties and overflow included.
  Denormals are left out: PyTorch's software conversion rounds them, while the AVX512-BF16
  instructions ChartCLIP uses read them as zero.
- product.*: op(A) · op(B) with both operands rounded to bfloat16 and the sum taken in
  float64 (what a float32-accumulating bfloat16 product approximates to ~1e-6), for the
  four transpose combinations, on shapes with odd sizes and an odd K; product.float32 is the
  same product without the rounding, which a bfloat16 product must not match.
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(4321)


def pack(out, name, t):
    t = torch.as_tensor(t).detach().to(torch.float32)
    out[name] = {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


def main():
    out = {}
    one = 1.0
    ulp = 2.0 ** -7  # bfloat16's spacing just above 1
    special = [0.0, -0.0, one, -one, one + ulp / 2, one + 3 * ulp / 2, one + ulp / 2 + 2.0 ** -20,
               3.14159265, -2.71828183, 1e-30, 6.5e4, 3.3895314e38, 3.4e38, -3.4e38, 1e38]
    x = torch.cat([torch.tensor(special, dtype=torch.float32), torch.randn(49) * 10])
    # As float32 bit patterns: exact, and JSON has no infinity.
    out["round.input_bits"] = x.view(torch.int32).tolist()
    out["round.output_bits"] = x.to(torch.bfloat16).to(torch.float32).view(torch.int32).tolist()

    m, n, k = 13, 37, 29
    a = torch.randn(m, k)
    b = torch.randn(k, n)
    ref = a.to(torch.bfloat16).double() @ b.to(torch.bfloat16).double()
    pack(out, "product.a", a)          # [M, K]
    pack(out, "product.b", b)          # [K, N]
    pack(out, "product.a_t", a.t().contiguous())  # [K, M]
    pack(out, "product.b_t", b.t().contiguous())  # [N, K]
    pack(out, "product.output", ref)   # [M, N]
    pack(out, "product.float32", a.double() @ b.double())

    with open(os.path.join(HERE, "bf16_products.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote bf16_products.json")


if __name__ == "__main__":
    main()
