#!/usr/bin/env python3
"""What transformers makes of a folder written by `chartclip export-hf`: the parity fixture
for the export (`HuggingFaceExportTests`).

The folder is the export of the test's own small model (seeded, every parameter perturbed,
a 1,000-row folded token table). Regenerate (from the repository root):
    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install /opt/wheels/torch-*.whl numpy transformers safetensors pillow
    CHARTCLIP_HF_EXPORT_DIR=/tmp/chartclip-hf-export swift test --filter HuggingFaceExportTests
    /tmp/ref/bin/python Tests/Fixtures/hf/make_hf_export_fixture.py /tmp/chartclip-hf-export

Loads the folder with `CLIPModel.from_pretrained`, `CLIPTokenizer.from_pretrained` and
`CLIPImageProcessor.from_pretrained`, and writes `chartclip-export-embeddings.json`: the
CRC-32 of the files it loaded (so the test knows the fixture describes what export-hf writes
today), the token ids of fixed captions, the pixel values of a PNG, and the L2-normalised
image and text embeddings transformers computes.
"""
import json
import os
import sys
import zlib

import torch
from PIL import Image
from transformers import CLIPImageProcessor, CLIPModel, CLIPTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/chartclip-hf-export"
crcs = {}
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name), "rb") as f:
        crcs[name] = zlib.crc32(f.read())

model, info = CLIPModel.from_pretrained(folder, output_loading_info=True)
model.eval()
problems = {k: v for k, v in info.items() if v and k != "error_msgs" or (k == "error_msgs" and v)}
assert not problems, f"transformers did not load every weight as it is: {problems}"
tokenizer = CLIPTokenizer.from_pretrained(folder)
processor = CLIPImageProcessor.from_pretrained(folder)
context = model.config.text_config.max_position_embeddings

captions = ["a breakout above the range", "bull trap at the highs!", "ChartCLIP reads candlestick charts", ""]
tokens = tokenizer(captions, padding="max_length", max_length=context, truncation=True, return_tensors="pt")
ids = tokens["input_ids"]

png = os.path.join(HERE, "..", "images", "bicubic_source_23x17.png")
processed = processor(images=[Image.open(png).convert("RGB")], return_tensors="pt")["pixel_values"]
torch.manual_seed(7)
size = model.config.vision_config.image_size
pixels = torch.cat([processed, torch.randn(2, 3, size, size)])


def features(output):
    if torch.is_tensor(output):
        return output
    return output.pooler_output if getattr(output, "pooler_output", None) is not None else output[0]


with torch.no_grad():
    image = torch.nn.functional.normalize(features(model.get_image_features(pixel_values=pixels)), dim=-1)
    text = torch.nn.functional.normalize(features(model.get_text_features(input_ids=ids)), dim=-1)
payload = {
    "files_crc32": crcs,
    "captions": captions,
    "input_ids": ids.tolist(),
    "png": "images/bicubic_source_23x17.png",
    "pixel_values": {"shape": list(pixels.shape), "data": pixels.reshape(-1).tolist()},
    "image_embeddings": {"shape": list(image.shape), "data": image.reshape(-1).tolist()},
    "text_embeddings": {"shape": list(text.shape), "data": text.reshape(-1).tolist()},
    "logit_scale": float(model.logit_scale.detach()),
}
out = os.path.join(HERE, "chartclip-export-embeddings.json")
with open(out, "w") as f:
    json.dump(payload, f, separators=(",", ":"))
print("wrote", out, "from", folder, "with", ", ".join(f"{k} {v:08x}" for k, v in crcs.items()))
