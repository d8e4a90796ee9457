#!/usr/bin/env python3
"""Interop fixtures for ChartCLIPFilesTests, written by the Python reference libraries.

- `h5py_interop.h5`: what h5py writes by default, read by HDF5InteropTests. Values are
  simple formulas (arange) so the Swift test states them inline.
- `safetensors_interop.safetensors`: what the `safetensors` package writes (F32, F16, BF16,
  I64, a scalar, an empty tensor and `__metadata__`), read by SafetensorsTests.

Run (needs numpy, h5py, torch, safetensors):
    python Tests/Fixtures/files/make_files_fixtures.py
"""

import os

import h5py
import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def write_hdf5(path):
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "chartclip-interop"  # variable-length UTF-8 str
        f.attrs["format_version"] = 3  # int64 scalar
        f.attrs["learning_rate"] = 0.001  # float64 scalar
        f.attrs["image_mean"] = np.array([0.48145466, 0.4578275, 0.40821073])  # float64 [3]
        f.attrs["sizes"] = np.array([224, 16], dtype=np.int64)  # int64 [2]
        f.attrs["flag"] = True  # numpy bool: an HDF5 enum, not supported by ChartCLIP

        proj = f.create_dataset("visual.proj", data=np.arange(12, dtype=np.float32).reshape(3, 4) / 4)
        proj.attrs["note"] = "arange(12) / 4"
        f.create_dataset("logit_scale", data=np.float32(4.6052))  # 0-dimensional
        f.create_dataset("optimizer/adam_m/visual.proj", data=np.arange(12, dtype=np.float64).reshape(3, 4) * -1)
        f.create_dataset("position_ids", data=np.arange(5, dtype=np.int64))
        f.create_dataset("counts", data=np.array([[1, 2], [3, 4]], dtype=np.int32))
        f.create_dataset("half", data=np.array([1.0, -2.5, 0.0, 65504.0], dtype=np.float16))
        f.create_dataset("empty", data=np.zeros((0, 3), dtype=np.float32))
        f.create_dataset("paths", data=["charts/BTCUSDT_20250623_1400.png", "charts/ünïcode.png", ""],
                         dtype=h5py.string_dtype("utf-8"))
        f.create_dataset("labels_fixed", data=np.array([b"breakout", b"trap", b"range"], dtype="S8"))


def write_safetensors(path):
    tensors = {
        "vision_model.embeddings.patch_embedding.weight": torch.arange(24, dtype=torch.float32).reshape(2, 3, 2, 2) / 8,
        "text_model.embeddings.position_ids": torch.arange(7, dtype=torch.int64).reshape(1, 7),
        "half": torch.tensor([1.0, -2.5, 0.0, 65504.0, 6.1035156e-05, 5.9604645e-08], dtype=torch.float16),
        "brain": torch.tensor([1.0, -2.5, 3.140625, 1e30, -0.0], dtype=torch.bfloat16),
        "logit_scale": torch.tensor(4.6052, dtype=torch.float32),
        "empty": torch.zeros((0, 4), dtype=torch.float32),
    }
    save_file(tensors, path, metadata={"format": "pt", "note": "chartclip interop"})


if __name__ == "__main__":
    write_hdf5(os.path.join(HERE, "h5py_interop.h5"))
    write_safetensors(os.path.join(HERE, "safetensors_interop.safetensors"))
    print("wrote h5py_interop.h5 and safetensors_interop.safetensors")
