#!/usr/bin/env python3
"""A tiny random Hugging Face CLIPModel with the ViT-B/16 layout made small, and its
embeddings for fixed inputs: the parity fixture for `chartclip import-hf`.

Regenerate (from the repository root):
    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install /opt/wheels/torch-*.whl numpy transformers safetensors
    /tmp/ref/bin/python Tests/Fixtures/hf/make_hf_fixture.py

Writes `tiny-clip/` (config.json + model.safetensors from `save_pretrained`) and
`tiny-clip-embeddings.json` (pixel values, token ids, and the L2-normalised image and text
embeddings that transformers computes for them).
"""
import json
import os

import torch
from transformers import CLIPConfig, CLIPModel

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(2024)

config = CLIPConfig(
    text_config=dict(vocab_size=1000, hidden_size=32, intermediate_size=128, num_hidden_layers=2,
                     num_attention_heads=4, max_position_embeddings=16, hidden_act="quick_gelu",
                     bos_token_id=998, eos_token_id=999, pad_token_id=0),
    vision_config=dict(hidden_size=48, intermediate_size=192, num_hidden_layers=2, num_attention_heads=4,
                       image_size=32, patch_size=8, hidden_act="quick_gelu"),
    projection_dim=24,
)
model = CLIPModel(config).eval()
# Random init leaves LayerNorms at 1/0 and biases small; perturb everything so the
# parity check exercises every parameter.
with torch.no_grad():
    for name, p in model.named_parameters():
        if name == "logit_scale":
            continue
        p.add_(0.05 * torch.randn_like(p))

out_dir = os.path.join(HERE, "tiny-clip")
model.save_pretrained(out_dir, safe_serialization=True)

pixels = torch.randn(2, 3, 32, 32)
ids = torch.zeros(3, 16, dtype=torch.long)
rows = [[998, 5, 17, 42, 999], [998, 999], [998] + list(range(100, 113)) + [999, 7]]
for i, r in enumerate(rows):
    ids[i, :len(r)] = torch.tensor(r[:16])
with torch.no_grad():
    image = model.get_image_features(pixel_values=pixels)
    text = model.get_text_features(input_ids=ids)
    if not torch.is_tensor(image):  # newer transformers return model outputs
        image = image.pooler_output if hasattr(image, "pooler_output") else image[0]
    if not torch.is_tensor(text):
        text = text.pooler_output if hasattr(text, "pooler_output") else text[0]
image = torch.nn.functional.normalize(image, dim=-1)
text = torch.nn.functional.normalize(text, dim=-1)
payload = {
    "pixel_values": {"shape": list(pixels.shape), "data": pixels.reshape(-1).tolist()},
    "input_ids": ids.tolist(),
    "end_indices": [r.index(999) for r in rows],
    "image_embeddings": {"shape": list(image.shape), "data": image.reshape(-1).tolist()},
    "text_embeddings": {"shape": list(text.shape), "data": text.reshape(-1).tolist()},
    "logit_scale": float(model.logit_scale),
}
with open(os.path.join(HERE, "tiny-clip-embeddings.json"), "w") as f:
    json.dump(payload, f, separators=(",", ":"))
print("wrote", out_dir, "and tiny-clip-embeddings.json")
