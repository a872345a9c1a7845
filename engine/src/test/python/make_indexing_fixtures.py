"""Reference outputs of torch for the engine's indexing, comparison and softmax ops.

Writes engine/src/test/resources/ops/indexing_fixtures.json, read by IndexingFixturesTest.
Run from the repository root:  python3 engine/src/test/python/make_indexing_fixtures.py
Inputs are built deterministically here and stored next to the outputs, so the Java test feeds
exactly the same numbers. Non-finite floats are written as the strings "inf", "-inf", "nan".
"""
import json
import math
import pathlib

import torch

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "ops" / "indexing_fixtures.json"


def enc(t):
    """Flat row-major list; floats keep full float32/float64 precision via repr."""
    out = []
    for v in t.detach().flatten().tolist():
        if isinstance(v, float) and not math.isfinite(v):
            out.append("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
        else:
            out.append(v)
    return out


def tensor(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": enc(t)}


def main():
    g = torch.Generator().manual_seed(20240601)
    ninf = float("-inf")
    cases = {}

    # softmax family: random rows, large magnitudes, -inf masked entries, a fully -inf row
    rand = torch.randn(3, 4, 5, generator=g) * 3
    special = torch.tensor([
        [1.0, 2.0, 3.0, 4.0, 5.0],
        [1e4, -1e4, 0.0, 1e4 - 1.0, -3.0],
        [ninf, 0.5, ninf, -0.5, 2.0],
        [ninf, ninf, ninf, ninf, ninf],
        [-1e4, -1e4 + 2.0, -1e4 - 1.0, -1e4, -1e4 + 0.5],
    ])
    soft = []
    for name, x in [("random", rand), ("special", special)]:
        for dim in range(x.dim()):
            soft.append({
                "name": name, "dim": dim, "x": tensor(x),
                "softmax": tensor(torch.softmax(x, dim)),
                "log_softmax": tensor(torch.log_softmax(x, dim)),
                "logsumexp": tensor(torch.logsumexp(x, dim)),
            })
    cases["softmax"] = soft

    # gather along each dim, with repeated indices
    gx = torch.randn(3, 4, 5, generator=g)
    gath = []
    for dim in range(3):
        shape = [2, 3, 4]
        idx = torch.randint(0, gx.shape[dim], shape, generator=g)
        gath.append({"dim": dim, "x": tensor(gx), "index": tensor(idx), "out": tensor(torch.gather(gx, dim, idx))})
    cases["gather"] = gath

    # topk and argmax with ties (values, and which indices torch picks)
    tx = torch.tensor([[1.0, 3.0, 3.0, 2.0, 3.0, 0.0, 3.0],
                       [5.0, -1.0, 5.0, 5.0, 2.0, 2.0, -1.0],
                       [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    topk = []
    for k in (1, 3, 7):
        for largest in (True, False):
            v, i = torch.topk(tx, k, dim=1, largest=largest)
            topk.append({"k": k, "largest": largest, "x": tensor(tx), "values": tensor(v), "indices": tensor(i)})
    rt = torch.randn(4, 6, generator=g)
    for dim in (0, 1):
        v, i = torch.topk(rt, 3, dim=dim)
        topk.append({"k": 3, "dim": dim, "largest": True, "x": tensor(rt), "values": tensor(v), "indices": tensor(i)})
    cases["topk"] = topk
    cases["sort"] = [{"descending": desc, "x": tensor(tx),
                      "values": tensor(torch.sort(tx, dim=1, descending=desc, stable=True).values),
                      "indices": tensor(torch.sort(tx, dim=1, descending=desc, stable=True).indices)}
                     for desc in (True, False)]
    cases["argmax"] = [{"x": tensor(tx), "argmax": tensor(torch.argmax(tx, 1)), "argmin": tensor(torch.argmin(tx, 1)),
                        "argmax_dim0": tensor(torch.argmax(tx, 0))}]

    # cumsum along each dim
    cx = torch.randn(3, 4, 5, generator=g)
    cases["cumsum"] = [{"dim": d, "x": tensor(cx), "out": tensor(torch.cumsum(cx, d))} for d in range(3)]

    # where with broadcasting
    wa = torch.randn(2, 3, 4, generator=g)
    wb = torch.randn(3, 1, generator=g)
    wc = torch.randn(2, 1, 4, generator=g) > 0
    cases["where"] = [{"cond": tensor(wc), "a": tensor(wa), "b": tensor(wb), "out": tensor(torch.where(wc, wa, wb))}]

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=None, separators=(",", ":")) + "\n")
    print("wrote", OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
