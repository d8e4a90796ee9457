#!/usr/bin/env python3
"""The class token after each block of the tiny Hugging Face CLIP in `tiny-clip/`, through
`post_layernorm`, for the pixel values of `tiny-clip-embeddings.json`: the golden values of
`VisionTransformer.classTokens(_:lastBlocks:)`, the features the linear probe reads with
`--probe-features pooled` or `last_4_blocks`.

Regenerate (from the repository root, after make_hf_fixture.py):
    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install /opt/wheels/torch-*.whl numpy transformers safetensors
    /tmp/ref/bin/python Tests/Fixtures/hf/make_class_token_fixture.py

Writes `tiny-clip-class-tokens.json`: `class_tokens` `[L, B, D]` (block 1 first).
"""
import json
import os

import torch
from transformers import CLIPModel

HERE = os.path.dirname(os.path.abspath(__file__))
model = CLIPModel.from_pretrained(os.path.join(HERE, "tiny-clip")).eval()
with open(os.path.join(HERE, "tiny-clip-embeddings.json")) as f:
    pixels = json.load(f)["pixel_values"]
pixel_values = torch.tensor(pixels["data"], dtype=torch.float32).reshape(pixels["shape"])
with torch.no_grad():
    out = model.vision_model(pixel_values=pixel_values, output_hidden_states=True)
    # hidden_states[0] is the input of the first block (after pre_layrnorm); [i] follows block i.
    tokens = torch.stack([model.vision_model.post_layernorm(h[:, 0]) for h in out.hidden_states[1:]])
    pooled = out.pooler_output
assert torch.allclose(tokens[-1], pooled, atol=1e-6), "the last block's class token is the pooled output"
payload = {"class_tokens": {"shape": list(tokens.shape), "data": tokens.reshape(-1).tolist()}}
with open(os.path.join(HERE, "tiny-clip-class-tokens.json"), "w") as f:
    json.dump(payload, f, separators=(",", ":"))
print("wrote tiny-clip-class-tokens.json", list(tokens.shape))
