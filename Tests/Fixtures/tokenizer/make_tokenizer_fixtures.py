#!/usr/bin/env python3
"""Golden token ids from Hugging Face transformers' CLIPTokenizer.

Writes `hf_clip_tokenizer_golden.json` next to this script: for each input string, the ids
that `transformers.CLIPTokenizer` gives with truncation to the context length (77), without
padding. ChartCLIPTextTests compares its own tokenizer with these.

Hugging Face's `vocab.json` and `merges.txt` are built here from the same
`bpe_simple_vocab_16e6.txt.gz` that ChartCLIP embeds, exactly the way openai/CLIP's
`simple_tokenizer.py` builds its encoder (that is how the published
`openai/clip-vit-base-patch16` files were made), so no download is needed. The script also
writes a tiny `vocab.json` + `merges.txt` pair (`mini/`) for the loader tests.

Run (needs `transformers`, `tokenizers`):
    python Tests/Fixtures/tokenizer/make_tokenizer_fixtures.py
"""

import gzip
import json
import os
import tempfile

from transformers import CLIPTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BPE_GZ = os.path.join(ROOT, "Sources", "ChartCLIPText", "Resources", "bpe_simple_vocab_16e6.txt.gz")
CONTEXT_LENGTH = 77


def bytes_to_unicode():
    """openai/CLIP's table: printable bytes map to themselves, the rest to U+0100 onwards."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def hf_files_from_bpe(path):
    """(vocab dict, merges lines) as in the published openai/clip-vit-base-patch16 files."""
    lines = gzip.open(path).read().decode("utf-8").split("\n")
    merges = lines[1 : 49152 - 256 - 2 + 1]
    pairs = [tuple(m.split()) for m in merges]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(p) for p in pairs]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    return {token: i for i, token in enumerate(vocab)}, merges


TEXTS = [
    "a photo of a cat",
    "hello world",
    "fakeout at resistance in range phase",
    "breakout_with_pullback in breakout-continuation phase",
    "exhaustion-pullback",
    "Range accumulation, confidence 0.87!",
    "BTCUSDT 15m chart: +2.5% in 2h?",
    "JSTUSDT_20250623_1400.png",
    "It's a trap; they're sure we've seen it, I'm told you'll see he'd win",
    "DON'T SHOUT, it's NOT fine",
    "   leading   and trailing\twhitespace\n\nnewlines  ",
    "",
    "!!!???...",
    "12345 67890",
    "3.14159 and 2,718,281",
    "price (USD) = $42,000.50 [high]; {low}",
    "email me: trader@example.com #crypto @bybit",
    "café naïve résumé",
    "Ελληνικά γράμματα",
    "Москва и Санкт-Петербург",
    "日本語のテキスト",
    "中文字符测试",
    "emoji 🚀📈 to the moon 🌙",
    "combining e\u0301 accent and ﬁ ligature",
    "tabs\tand\u00a0non-breaking\u2003spaces",
    "quotes \u201ccurly\u201d and \u2018single\u2019 and `back`",
    "hyphen-ated words and snake_case_names and CamelCaseNames",
    "antidisestablishmentarianism supercalifragilisticexpialidocious",
    "x" * 40,
    "a<|endoftext|>b",
    " ".join(["trend continuation after a clean breakout with high volume"] * 12),
    "0123456789" * 10,
]


def write_compact(path, document):
    """JSON with one test case per line, so diffs of regenerated fixtures stay readable."""
    cases = document.pop("cases")
    head = json.dumps(document, ensure_ascii=False)[:-1]
    separator = ", " if document else ""
    body = ",\n  ".join(json.dumps(case, ensure_ascii=False) for case in cases)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{head}{separator}\"cases\": [\n  {body}\n]}}\n")


def main():
    vocab, merges = hf_files_from_bpe(BPE_GZ)
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump(vocab, f, ensure_ascii=False)
        with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
        tokenizer = CLIPTokenizer.from_pretrained(folder)
        assert len(tokenizer) == 49408, len(tokenizer)
        cases = []
        for text in TEXTS:
            ids = tokenizer(text, truncation=True, max_length=CONTEXT_LENGTH)["input_ids"]
            cases.append({"text": text, "ids": ids})
    required = {
        "a photo of a cat": [49406, 320, 1125, 539, 320, 2368, 49407],
        "hello world": [49406, 3306, 1002, 49407],
        "fakeout at resistance in range phase": [49406, 18794, 620, 536, 7392, 530, 3818, 8304, 49407],
    }
    for case in cases:
        if case["text"] in required:
            assert case["ids"] == required[case["text"]], case
    out = {
        "source": "transformers.CLIPTokenizer (vocab.json/merges.txt built from bpe_simple_vocab_16e6.txt.gz)",
        "context_length": CONTEXT_LENGTH,
        "cases": cases,
    }
    write_compact(os.path.join(HERE, "hf_clip_tokenizer_golden.json"), out)

    # A tiny vocabulary in Hugging Face's format for the loader tests: bytes, bytes + </w>,
    # three merges ("l o", "lo w</w>", "h i</w>") and the two special tokens.
    table = list(bytes_to_unicode().values())
    mini_vocab = table + [t + "</w>" for t in table] + ["lo", "low</w>", "hi</w>", "<|startoftext|>", "<|endoftext|>"]
    mini_merges = ["l o", "lo w</w>", "h i</w>"]
    mini = os.path.join(HERE, "mini")
    os.makedirs(mini, exist_ok=True)
    with open(os.path.join(mini, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({t: i for i, t in enumerate(mini_vocab)}, f, ensure_ascii=False)
    with open(os.path.join(mini, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(mini_merges) + "\n")
    mini_tokenizer = CLIPTokenizer.from_pretrained(mini)
    mini_cases = [{"text": t, "ids": mini_tokenizer(t)["input_ids"]} for t in ["low hi", "lower high", "hi!"]]
    write_compact(os.path.join(mini, "golden.json"), {"cases": mini_cases})
    print(f"wrote {len(cases)} cases and the mini vocabulary")


if __name__ == "__main__":
    main()
