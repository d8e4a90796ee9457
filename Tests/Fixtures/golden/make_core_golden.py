#!/usr/bin/env python3
"""Golden values for ChartCLIP's tensor core, computed with PyTorch (CPU, float32).

Regenerate (from the repository root):
    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install /opt/wheels/torch-*.whl numpy
    /tmp/ref/bin/python Tests/Fixtures/golden/make_core_golden.py

Writes small JSON files next to this script: {name: {"shape": [...], "data": [...]}}.
Every case uses the loss L = sum(output * R) for a fixed random R, so every output element
gets a distinct upstream gradient.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(1234)


def pack(**tensors):
    out = {}
    for name, t in tensors.items():
        t = torch.as_tensor(t).detach().to(torch.float32)
        out[name] = {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}
    return out


def write(name, payload):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))
    print("wrote", name)


def attention(qkv, heads, causal):
    """softmax(Q K^T / sqrt(hd) [+ causal mask]) V on qkv [B, T, 3D] laid out [q|k|v]."""
    b, t, d3 = qkv.shape
    d = d3 // 3
    hd = d // heads
    q, k, v = qkv.split(d, dim=-1)
    q = q.reshape(b, t, heads, hd).transpose(1, 2)
    k = k.reshape(b, t, heads, hd).transpose(1, 2)
    v = v.reshape(b, t, heads, hd).transpose(1, 2)
    s = q @ k.transpose(-1, -2) / math.sqrt(hd)
    if causal:
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        s = s.masked_fill(mask, float("-inf"))
    o = s.softmax(-1) @ v
    return o.transpose(1, 2).reshape(b, t, d)


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def block_case(activation, causal, fname):
    B, T, D, H, HID = 2, 5, 16, 2, 64
    p = {
        "norm1.weight": 1 + 0.1 * torch.randn(D), "norm1.bias": 0.1 * torch.randn(D),
        "attn.qkv.weight": 0.2 * torch.randn(3 * D, D), "attn.qkv.bias": 0.1 * torch.randn(3 * D),
        "attn.proj.weight": 0.2 * torch.randn(D, D), "attn.proj.bias": 0.1 * torch.randn(D),
        "norm2.weight": 1 + 0.1 * torch.randn(D), "norm2.bias": 0.1 * torch.randn(D),
        "mlp.fc1.weight": 0.2 * torch.randn(HID, D), "mlp.fc1.bias": 0.1 * torch.randn(HID),
        "mlp.fc2.weight": 0.2 * torch.randn(D, HID), "mlp.fc2.bias": 0.1 * torch.randn(D),
    }
    for t in p.values():
        t.requires_grad_(True)
    x = torch.randn(B, T, D, requires_grad=True)
    act = quick_gelu if activation == "quick_gelu" else F.gelu
    h = x + F.linear(attention(F.linear(F.layer_norm(x, (D,), p["norm1.weight"], p["norm1.bias"], 1e-5),
                                        p["attn.qkv.weight"], p["attn.qkv.bias"]), H, causal),
                     p["attn.proj.weight"], p["attn.proj.bias"])
    y = h + F.linear(act(F.linear(F.layer_norm(h, (D,), p["norm2.weight"], p["norm2.bias"], 1e-5),
                                  p["mlp.fc1.weight"], p["mlp.fc1.bias"])),
                     p["mlp.fc2.weight"], p["mlp.fc2.bias"])
    r = torch.randn_like(y)
    (y * r).sum().backward()
    payload = pack(input=x, output=y, upstream=r, **{"grad.input": x.grad})
    payload.update(pack(**p))
    payload.update(pack(**{"grad." + k: v.grad for k, v in p.items()}))
    payload["config"] = {"batch": B, "tokens": T, "width": D, "heads": H, "hidden": HID,
                         "activation": activation, "causal": causal}
    write(fname, payload)


def attention_case():
    payload = {}
    for causal in (True, False):
        qkv = torch.randn(2, 6, 3 * 16, requires_grad=True)
        o = attention(qkv, 4, causal)
        r = torch.randn_like(o)
        (o * r).sum().backward()
        tag = "causal" if causal else "full"
        payload.update(pack(**{f"{tag}.qkv": qkv, f"{tag}.output": o, f"{tag}.upstream": r,
                               f"{tag}.grad.qkv": qkv.grad}))
    payload["config"] = {"batch": 2, "tokens": 6, "width": 16, "heads": 4}
    write("core_attention.json", payload)


def cross_entropy_case():
    logits = (3 * torch.randn(4, 7)).requires_grad_(True)
    targets = torch.tensor([0, 6, 3, 3])
    loss = F.cross_entropy(logits, targets)
    loss.backward()
    hard = pack(logits=logits, loss=loss, **{"grad.logits": logits.grad})
    soft_logits = (3 * torch.randn(4, 7)).requires_grad_(True)
    soft_targets = torch.softmax(torch.randn(4, 7), -1)
    soft_loss = F.cross_entropy(soft_logits, soft_targets)
    soft_loss.backward()
    soft = pack(**{"soft.logits": soft_logits, "soft.targets": soft_targets, "soft.loss": soft_loss,
                   "soft.grad.logits": soft_logits.grad})
    payload = {**hard, **soft, "targets": targets.tolist()}
    write("core_cross_entropy.json", payload)


def adamw_case():
    # Two decaying matrices and two non-decaying vectors, three steps with given gradients.
    shapes = {"w": (3, 4), "v": (5, 2), "b": (4,), "g": (7,)}
    params = {k: torch.randn(*s) for k, s in shapes.items()}
    payload = pack(**{f"init.{k}": v for k, v in params.items()})
    torch_params = {k: torch.nn.Parameter(v.clone()) for k, v in params.items()}
    opt = torch.optim.AdamW([
        {"params": [torch_params["w"], torch_params["v"]], "weight_decay": 0.1},
        {"params": [torch_params["b"], torch_params["g"]], "weight_decay": 0.0},
    ], lr=1e-2, betas=(0.9, 0.98), eps=1e-6)
    for step in range(3):
        grads = {k: torch.randn(*s) for k, s in shapes.items()}
        for k, p in torch_params.items():
            p.grad = grads[k].clone()
        opt.step()
        payload.update(pack(**{f"step{step}.grad.{k}": v for k, v in grads.items()}))
        payload.update(pack(**{f"step{step}.param.{k}": v.detach() for k, v in torch_params.items()}))
    payload["config"] = {"lr": 1e-2, "beta1": 0.9, "beta2": 0.98, "eps": 1e-6, "weight_decay": 0.1,
                         "decay": ["w", "v"], "no_decay": ["b", "g"]}
    write("core_adamw.json", payload)


if __name__ == "__main__":
    block_case("quick_gelu", True, "core_block_causal_quickgelu.json")
    block_case("gelu", False, "core_block_gelu.json")
    attention_case()
    cross_entropy_case()
    adamw_case()
