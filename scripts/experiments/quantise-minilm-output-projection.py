"""Emulates the int8-avx2 kernels' arithmetic on all-MiniLM-L6-v2 in NumPy and prints the
reference fixture's minimum cosine for several treatments of the feed-forward output projection
(`output.dense`), every other linear layer as int8-avx2 runs it (int8 weights per channel, 13-bit
activations per row, outliers above 4x the row's RMS, at most 32, against bf16 weights).

An experiment, not run by CI or the tests (how `KernelPath.int16AVX2`'s widths were chosen; see
the README's int8-avx2 section). Needs NumPy and `models/all-MiniLM-L6-v2/`
(scripts/fetch-minilm.sh); a minute or two per variant on one core. Arguments, if any, pick the
variants whose labels contain them:
    python3 scripts/experiments/quantise-minilm-output-projection.py "10-bit" "int8 w"
"""
import json, math, os, struct, sys
import numpy as np

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
folder = os.path.join(root, "models", "all-MiniLM-L6-v2")
def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n)); data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__": continue
        a, b = meta["data_offsets"]
        if meta["dtype"] != "F32": continue
        out[name] = np.frombuffer(data[a:b], dtype=np.float32).reshape(meta["shape"])
    return out
W = load_safetensors(folder + "/model.safetensors")
W = {k.removeprefix("bert."): v for k, v in W.items()}
config = json.load(open(folder + "/config.json"))
fixture = json.load(open(os.path.join(root, "Tests", "ServingEngineTests", "Fixtures", "minilm-reference.json")))

def bf16(x):
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return u.astype(np.uint32).view(np.float32)

def quant_weights(w, levels):
    scale = np.abs(w).max(1, keepdims=True) / levels
    scale[scale == 0] = 1
    return np.clip(np.rint(w / scale), -levels, levels) * scale

def quant_rows(a, levels, ratio=4.0, max_outliers=32):
    """Returns (dequantised codes with outliers at 0, outlier mask)."""
    rms = np.sqrt((a * a).mean(1, keepdims=True))
    outside = np.abs(a) > ratio * rms
    mask = np.zeros_like(outside)
    for r in range(a.shape[0]):
        idx = np.nonzero(outside[r])[0][:max_outliers]
        mask[r, idx] = True
    kept = np.where(mask, 0, np.abs(a)).max(1, keepdims=True)
    scale = kept / levels; scale[scale == 0] = 1
    q = np.clip(np.rint(a / scale), -levels, levels) * scale
    return np.where(mask, 0, q), mask

cache = {}
def make_linear(scheme):
    def linear(t, name):
        w, b = W[name + ".weight"], W[name + ".bias"]
        s = scheme(name)
        if s is None:
            return t @ w.T + b
        wl, al = s
        key = (name, wl)
        if key not in cache: cache[key] = w if wl is None else quant_weights(w, wl)
        wq = cache[key]
        shape = t.shape; a = t.reshape(-1, shape[-1])
        if al is None: q, mask = a, np.zeros(a.shape, bool)
        else: q, mask = quant_rows(a, al)
        out = q @ wq.T + np.where(mask, a, 0) @ bf16(w).T + b
        return out.reshape(shape[:-1] + (w.shape[0],)).astype(np.float32)
    return linear

def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdims=True); var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias
_erf = np.vectorize(math.erf, otypes=[np.float64])
def gelu(x): return (x * 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))).astype(np.float32)

def embed(ids, linear):
    ids = np.array(ids)[None, :]
    heads = config["num_attention_heads"]; hidden = config["hidden_size"]; hs = hidden // heads; eps = config["layer_norm_eps"]
    L = ids.shape[1]
    x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.token_type_embeddings.weight"][np.zeros_like(ids)] + W["embeddings.position_embeddings.weight"][np.arange(L)[None]]
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
    split = lambda t: t.reshape(1, L, heads, hs).transpose(0, 2, 1, 3)
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (split(linear(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hs); s = s - s.max(-1, keepdims=True)
        pr = np.exp(s); pr /= pr.sum(-1, keepdims=True)
        ctx = (pr @ v).transpose(0, 2, 1, 3).reshape(1, L, hidden)
        att = layer_norm(linear(ctx, p + "attention.output.dense") + x, W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"], eps)
        inter = gelu(linear(att, p + "intermediate.dense"))
        x = layer_norm(linear(inter, p + "output.dense") + att, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], eps)
    e = x[0].mean(0); return e / np.linalg.norm(e)

def scheme_for(ffn_out):
    def s(name):
        if name.endswith("output.dense") and "attention" not in name: return ffn_out
        return (127, 4095)
    return s

variants = {
    "fp32 output.dense (int8-avx2 before)": None,
    "int8 w / 13-bit a": (127, 4095),
    "int8 w / fp32 a": (127, None),
    "fp32 w / 13-bit a": (None, 4095),
    "9-bit w / 13-bit a": (255, 4095),
    "10-bit w / 12-bit a (int16-avx2)": (511, 2047),
    "11-bit w / 11-bit a": (1023, 1023),
    "12-bit w / 13-bit a (needs chunked acc)": (2047, 4095),
}
only = sys.argv[1:]
for label, v in variants.items():
    if only and not any(o in label for o in only): continue
    linear = make_linear(scheme_for(v))
    cos = [float(np.dot(embed(s["ids"], linear), np.array(s["embedding"], dtype=np.float32))) for s in fixture["sentences"]]
    print(f"{label:42s} min {min(cos):.5f}  mean {np.mean(cos):.6f}  n={len(cos)}", flush=True)
