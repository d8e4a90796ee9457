"""Regenerates the PNG and preprocessing fixtures of ChartCLIPImageTests.

Run with a Python that has numpy, Pillow and transformers:
    python Tests/Fixtures/images/make_image_fixtures.py
Every file is written next to this script. The images are tiny and deterministic.

- pil_{rgb,rgba,gray,palette}_7x5.png: written by Pillow's own encoder (not libpng's
  simplified API), so decoding them proves ChartCLIP reads other encoders' files. Pixel
  values follow formulas the Swift test recomputes.
- bicubic_source_23x17.png and bicubic_23x17_to_WxH.png: Pillow's
  Image.resize((W, H), Image.BICUBIC) of the source, the golden values for
  BicubicResampler (downscaling, upscaling, one axis only).
- clip_pixel_values_12.json: Hugging Face CLIPImageProcessor (PIL backend) output for the
  source with shortest_edge 12 and a 12x12 crop, shape [3, 12, 12].
"""
import json
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def formula_rgb(width, height):
    """The same formulas as ImageFixtureTests.expectedRGB."""
    a = np.zeros((height, width, 3), dtype=np.uint8)
    for y in range(height):
        for x in range(width):
            a[y, x] = ((x * 37 + y * 11) % 256, (x * 5 + y * 53 + 7) % 256, (x * x + y * y * 3) % 256)
    return a


def save(image, name):
    image.save(os.path.join(HERE, name))
    print("wrote", name)


def main():
    rgb = formula_rgb(7, 5)
    save(Image.fromarray(rgb, "RGB"), "pil_rgb_7x5.png")
    alpha = np.array([[(x * 40 + y * 9) % 256 for x in range(7)] for y in range(5)], dtype=np.uint8)
    save(Image.fromarray(np.dstack([rgb, alpha]), "RGBA"), "pil_rgba_7x5.png")
    save(Image.fromarray(rgb[:, :, 0], "L"), "pil_gray_7x5.png")
    # A palette image: index = (x + 2y) mod 4 into four fixed colours.
    palette = [255, 255, 255, 0, 99, 64, 160, 33, 40, 7, 8, 9]
    indices = np.array([[(x + 2 * y) % 4 for x in range(7)] for y in range(5)], dtype=np.uint8)
    p = Image.fromarray(indices, "P")
    p.putpalette(palette + [0] * (768 - len(palette)))
    save(p, "pil_palette_7x5.png")

    # Bicubic source: a smooth gradient, a hard-edged block (overshoot and clipping) and noise.
    rng = np.random.default_rng(20250623)
    h, w = 17, 23
    yy, xx = np.mgrid[0:h, 0:w]
    source = np.stack([xx * 11, yy * 15, (xx + yy) * 6], axis=-1).astype(np.int32)
    source[4:11, 6:14] = [250, 5, 250]
    source = np.clip(source + rng.integers(-20, 21, size=source.shape), 0, 255).astype(np.uint8)
    src = Image.fromarray(source, "RGB")
    save(src, "bicubic_source_23x17.png")
    for tw, th in [(9, 7), (40, 31), (23, 9), (11, 17), (5, 30)]:
        save(src.resize((tw, th), Image.BICUBIC), f"bicubic_23x17_to_{tw}x{th}.png")

    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    processor = CLIPImageProcessorPil(size={"shortest_edge": 12}, crop_size={"height": 12, "width": 12})
    values = processor(images=src, return_tensors="np")["pixel_values"][0]
    assert values.shape == (3, 12, 12) and values.dtype == np.float32
    with open(os.path.join(HERE, "clip_pixel_values_12.json"), "w") as f:
        json.dump({"shape": [3, 12, 12], "values": [float(v) for v in values.reshape(-1)]}, f)
    print("wrote clip_pixel_values_12.json")


if __name__ == "__main__":
    main()
