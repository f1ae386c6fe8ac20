"""PyTorch as an independent oracle for convnet.ts's tests (tests/interop_torch_test.ts).

    /usr/bin/python3 interop/oracle.py JOBS.json

JOBS.json is {"jobs": [job, ...]}; each job reads and writes safetensors files, and the script
prints one JSON line {"results": [result, ...]}: {"ok": true, ...} or {"ok": false, "error":
message} for a job that failed (the tests check that bad files are refused with the right
message). Jobs:

- logits: {"model": weights, "images": file with "images" U8 (N, 3, 32, 32), "out"}:
  writes "logits" (N, K), normalised and with flip TTA as the weights' metadata says.
- step: {"model": weights, "batch": file with "x" F32 (N, C, H, W) and "y" I32 (N), "out",
  "lr", "momentum", "weight_decay", "nesterov", "label_smoothing", "dtype", "steps"}: training
  steps on the batch (train mode: forward, cross-entropy, backward, SGD, BatchNorm statistics)
  in float32 or float64; writes the new weights (our names) and reports the losses.
- functional: {"in", "out", "cases": [{"name", "op", ...}]}: the Part 1 layers with
  torch.nn.functional in float64 (conv2d, max_pool2d, linear, relu, cross_entropy); reads
  "<name>.x", "<name>.w", "<name>.b", "<name>.dout", "<name>.y", writes "<name>.out",
  "<name>.dx", "<name>.dw", "<name>.db" and "<name>.loss".
- copy: {"in", "out"}: reads a safetensors file and writes it back with safetensors_io.
- refuse: {"good": weights, "bad": file}: the bad file must be refused by load_weights and by
  load_into a model holding the good weights, which must stay unchanged; reports the messages.
- train: {"new": config, "seed", "images": file with "images" U8 and "labels" I32,
  "normalization", "steps", "batch_size", "lr", "momentum", "weight_decay", "nesterov",
  "label_smoothing", "tta", optional "tta_translate", "out"}: a new twin from torch.manual_seed(seed), trained, saved.
"""

import json
import sys

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from models import build_model  # noqa: E402
from safetensors_io import load_file, save_file  # noqa: E402
from train import train_steps  # noqa: E402
from weights import load_into, load_weights, normalize, predict_logits, save_weights, saved_state, tta_of  # noqa: E402


def job_logits(job):
    model, _, metadata = load_weights(job["model"])
    norm = json.loads(metadata["normalization"]) if "normalization" in metadata else None
    images = load_file(job["images"])[0]["images"]
    logits = predict_logits(model, normalize(images, norm), *tta_of(metadata))
    save_file(job["out"], {"logits": logits})
    return {}


def make_sgd(model, job):
    return torch.optim.SGD(
        model.parameters(),
        lr=job["lr"],
        momentum=job["momentum"],
        weight_decay=job["weight_decay"],
        nesterov=job["nesterov"],
    )


def job_step(job):
    model, config, metadata = load_weights(job["model"])
    dtype = torch.float64 if job.get("dtype") == "float64" else torch.float32
    model = model.to(dtype).train()
    batch = load_file(job["batch"])[0]
    x = torch.from_numpy(batch["x"]).to(dtype)
    y = torch.from_numpy(batch["y"].astype(np.int64))
    optimizer = make_sgd(model, job)
    losses = []
    for _ in range(job.get("steps", 1)):
        loss = F.cross_entropy(model(x), y, label_smoothing=job["label_smoothing"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    save_file(job["out"], {k: v.detach() for k, v in saved_state(model).items()})
    return {"losses": losses}


def functional_case(case, t):
    """Forward and backward of one Part 1 layer in float64; returns the tensors to write."""
    op, name = case["op"], case["name"]
    leaf = {k: torch.from_numpy(v).requires_grad_(k in ("x", "w", "b")) for k, v in t.items()}
    x = leaf["x"]
    if op == "conv":
        out = F.conv2d(x, leaf["w"], leaf["b"], stride=case["stride"], padding=case["pad"])
    elif op == "maxpool":
        out = F.max_pool2d(x, (case["poolHeight"], case["poolWidth"]), stride=case["stride"])
    elif op == "affine":
        out = F.linear(x.reshape(x.shape[0], -1), leaf["w"].t(), leaf["b"])
    elif op == "relu":
        out = F.relu(x)
    elif op == "softmax":
        loss = F.cross_entropy(x, leaf["y"].long())
        loss.backward()
        return {f"{name}.loss": loss.detach().reshape(1), f"{name}.dx": x.grad}
    else:
        raise ValueError(f'Cannot run functional case "{name}": unknown op "{op}"')
    out.backward(leaf["dout"])
    result = {f"{name}.out": out.detach()}
    for k in ("x", "w", "b"):
        if k in leaf:
            result[f"{name}.d{k}"] = leaf[k].grad
    return result


def job_functional(job):
    tensors = load_file(job["in"])[0]
    results = {}
    for case in job["cases"]:
        prefix = case["name"] + "."
        mine = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        results.update(functional_case(case, mine))
    save_file(job["out"], results)
    return {}


def job_copy(job):
    """Reads a safetensors file and writes it back: our layout, so the bytes must not change."""
    tensors, metadata = load_file(job["in"])
    save_file(job["out"], tensors, metadata)
    return {}


def job_refuse(job):
    """Loads the bad file as a user would (load_weights), then into a model already holding
    the good file's weights (load_into): both must refuse, and the model must be unchanged."""
    try:
        load_weights(job["bad"])
        return {"refused": False}
    except ValueError as e:
        error = str(e)
    model, _, _ = load_weights(job["good"])
    before = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        tensors, _ = load_file(job["bad"])
        load_into(model, tensors, job["bad"])
        return {"refused": False, "error": error}
    except ValueError as e:
        error_into = str(e)
    unchanged = all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    return {"refused": True, "error": error, "error_into": error_into, "unchanged": unchanged}


def job_train(job):
    torch.manual_seed(job["seed"])
    config = job["new"]
    model = build_model(config)
    data = load_file(job["images"])[0]
    images, labels = data["images"], data["labels"].astype(np.int64)
    optimizer = make_sgd(model, job)
    options = {
        "epochs": 1,
        "steps": job["steps"],
        "batch_size": job["batch_size"],
        "label_smoothing": job["label_smoothing"],
        "shuffle": False,
    }
    train_steps(model, optimizer, images, labels, job["normalization"], options, log=lambda _: None)
    metadata = {"normalization": json.dumps(job["normalization"]), "tta": str(job["tta"]).lower()}
    if job.get("tta_translate"):
        metadata["tta_translate"] = str(job["tta_translate"])
    save_weights(job["out"], model, config, metadata)
    return {}


JOBS = {
    "logits": job_logits,
    "step": job_step,
    "functional": job_functional,
    "refuse": job_refuse,
    "copy": job_copy,
    "train": job_train,
}


def main():
    with open(sys.argv[1]) as f:
        jobs = json.load(f)["jobs"]
    results = []
    for job in jobs:
        try:
            results.append({"ok": True, **JOBS[job["cmd"]](job)})
        except (ValueError, TypeError, KeyError, OSError) as e:
            results.append({"ok": False, "error": str(e)})
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
