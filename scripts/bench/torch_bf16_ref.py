#!/usr/bin/env python3
"""PyTorch's own mixed precision on the reference CLIP: the fair anchor for
`chartclip bench train --precision bfloat16`.

Runs ../shared/bench/clip_ref.py's model, batch and optimizer (imported, not copied) with the
forward pass under `torch.autocast("cpu", dtype=torch.bfloat16)`, PyTorch's documented way to
train in bfloat16 on CPUs: matrix products and convolutions take bfloat16 operands, weights and
optimizer state stay float32. Prints one JSON line like clip_ref.py's (`images_per_s`, ...).

    /tmp/ref/bin/python scripts/bench/torch_bf16_ref.py --config small --threads 2 --batch 64
"""
import argparse
import json
import os
import statistics
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="tiny")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--reference", default=os.path.join(os.path.dirname(__file__), "../../../shared/bench"),
                    help="folder holding clip_ref.py")
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.reference))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import clip_ref
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    cfg = clip_ref.CONFIGS[args.config]
    model = clip_ref.build(torch, nn, F)(cfg, attn_impl="manual")
    images, text = clip_ref.make_batch(torch, cfg, args.batch, gen)
    model.train()
    opt = clip_ref.make_optimizer(torch, model, "default")
    times, losses = [], []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = model(images, text)
        opt.zero_grad(set_to_none=True)
        loss.float().backward()
        opt.step()
        losses.append(loss.detach().item())
        if i >= args.warmup:
            times.append(time.perf_counter() - t0)
    step = statistics.median(times)
    flops = clip_ref.flops_breakdown(cfg, args.batch)["train_step_total"]
    print(json.dumps(dict(
        config=args.config, mode="train-autocast-bf16", threads=args.threads, batch=args.batch,
        torch=torch.__version__, step_s_median=step, images_per_s=args.batch / step,
        gflops_per_s=flops / step / 1e9, loss_first=losses[0], loss_last=losses[-1])))


if __name__ == "__main__":
    main()
