"""Our weights files (`<model>.safetensors`, written by `deno task train`) in PyTorch, both ways.

A weights file holds the model's state_dict under PyTorch's names, float32, and in __metadata__:
`format` ("convnet.ts/weights-v1"), `model` (the configuration JSON the twin is built from),
`normalization` (how images become inputs), `first_conv`, and extra strings such as `tta`.
BatchNorm's `num_batches_tracked` is not saved: with momentum 0.1 it plays no part, and
`load_state_dict` fills it in (0) for a state dict without version metadata, so the load is
still strict.

`load_weights` checks every name, dtype and shape against the twin before it copies anything,
so a bad file is refused whole, with a message naming the tensor; `save_weights` writes a file
that `deno task predict`, `loadWeights()` and this folder's scripts read back.
"""

import json

import numpy as np
import torch

from models import build_model
from safetensors_io import decode, save_file

WEIGHTS_FORMAT = "convnet.ts/weights-v1"
TRAIN_FORMAT = "convnet.ts/train-v1"
# Buffers PyTorch keeps that our files do not (see the module comment).
NOT_SAVED = ("num_batches_tracked",)
# The dtypes a float32 model loads, as in nn/checkpoint.ts.
FLOAT_DTYPES = (np.float32, np.float64)


def saved_state(model):
    """The model's state_dict without the buffers our files leave out."""
    return {k: v for k, v in model.state_dict().items() if k.rsplit(".", 1)[-1] not in NOT_SAVED}


def check_state(model, tensors, source):
    """Refuses (ValueError, naming the tensor) anything `model` cannot take whole."""
    own = saved_state(model)
    missing = [k for k in own if k not in tensors]
    unexpected = [k for k in tensors if k not in own]
    if missing or unexpected:
        raise ValueError(
            f"Cannot load {source} into {type(model).__name__}: missing tensors "
            f"[{', '.join(missing)}], unexpected tensors [{', '.join(unexpected)}]; "
            f"were they saved from another model?"
        )
    for name, target in own.items():
        a = tensors[name]
        if a.dtype.type not in FLOAT_DTYPES:
            raise ValueError(f'Cannot load "{name}" from {source}: dtype {a.dtype} is not float32/float64')
        if tuple(a.shape) != tuple(target.shape):
            raise ValueError(
                f'Cannot load "{name}" from {source}: shape {list(a.shape)} does not match the '
                f"model's {list(target.shape)}; build the model with the configuration it was saved with"
            )


def load_into(model, tensors, source="the weights"):
    """Copies {name: numpy array} into `model` (strict), after `check_state`."""
    check_state(model, tensors, source)
    state = {k: torch.from_numpy(np.asarray(v, np.float32)) for k, v in tensors.items()}
    model.load_state_dict(state, strict=True)


def parse_config(metadata, source):
    fmt = metadata.get("format")
    if fmt == TRAIN_FORMAT:
        raise ValueError(
            f"Cannot load {source}: it is a training checkpoint ({fmt}); load the run folder's "
            f"<model>.safetensors weights file instead"
        )
    if "model" not in metadata:
        raise ValueError(
            f'Cannot load {source}: its __metadata__ has no "model" configuration, so it was not '
            f"written by convnet.ts (deno task train:convnet or train:mymodel write one)"
        )
    try:
        return json.loads(metadata["model"])
    except json.JSONDecodeError as e:
        raise ValueError(f"Cannot load {source}: __metadata__.model is not JSON ({e})") from None


def decode_weights(data, source="the weights", expect=None):
    """(model, config, metadata) from a weights file's bytes; `expect` refuses another model."""
    tensors, metadata = decode(data, source)
    config = parse_config(metadata, source)
    if expect is not None and config.get("name") != expect:
        raise ValueError(f"Cannot load {source} as a {expect}: it holds a {config.get('name')}")
    model = build_model(config)
    load_into(model, tensors, source)
    return model, config, metadata


def load_weights(path, expect=None):
    """Reads a weights file; see `decode_weights`. The model comes back in eval mode."""
    with open(path, "rb") as f:
        model, config, metadata = decode_weights(f.read(), f'"{path}"', expect)
    return model.eval(), config, metadata


def first_conv_name(model):
    for name, t in saved_state(model).items():
        if t.dim() == 4:
            return name
    return None


def save_weights(path, model, config, metadata=None):
    """Writes `model` as a weights file that convnet.ts loads. `metadata` adds strings
    (`normalization`, `tta`, `classes`, ...); `format`, `model` and `first_conv` are set here."""
    meta = dict(metadata or {})
    meta["format"] = WEIGHTS_FORMAT
    meta["model"] = json.dumps(config, separators=(",", ":"))
    first = first_conv_name(model)
    if first is not None:
        meta["first_conv"] = first
    tensors = {k: v.detach().float() for k, v in saved_state(model).items()}
    save_file(path, tensors, meta)


def normalize(images, normalization):
    """uint8 images (N, 3, 32, 32) -> float32 inputs, as data/normalize.ts does it (the
    arithmetic in float64, rounded once to float32). normalization: the parsed JSON or None."""
    x = images.astype(np.float64)
    kind = (normalization or {"kind": "none"})["kind"]
    if kind == "meanImage":
        mean = np.asarray(normalization["mean"], np.float32).astype(np.float64)
        x = x - mean.reshape(1, *images.shape[1:])
    elif kind == "channel":
        std = np.asarray(normalization["std"], np.float64)
        scale = (1 / (255 * std)).astype(np.float32).astype(np.float64).reshape(1, -1, 1, 1)
        shift = (-np.asarray(normalization["mean"]) / std).astype(np.float32)
        x = x * scale + shift.astype(np.float64).reshape(1, -1, 1, 1)
    elif kind != "none":
        raise ValueError(f'Cannot normalise images: unknown kind "{kind}"')
    return torch.from_numpy(x.astype(np.float32))


def translate(x, t):
    """x: (N, C, H, W) shifted by (t, t) pixels: out(h, w) = x(h + t, w + t), positions
    outside mirrored at the edge (PyTorch's reflect padding), as nn/tta.ts's translate()."""
    n = abs(t)
    padded = torch.nn.functional.pad(x, (n, n, n, n), mode="reflect")
    h, w = x.shape[2], x.shape[3]
    return padded[:, :, n + t : n + t + h, n + t : n + t + w]


@torch.no_grad()
def predict_logits(model, x, tta, shift=0):
    """logits: (N, K) of x: (N, C, H, W) in eval mode; with `tta`, the mean of the logits of
    the images and their mirror images (train/eval.ts's predictBatch); with `shift` > 0 too
    (the file's `tta_translate`), airbench's level 2 as nn/tta.ts's predictTta: 1/2 of that
    mean for x plus 1/4 for x shifted by (-shift, -shift) and 1/4 for (+shift, +shift)."""
    model.eval()

    def flip_mean(v):
        logits = model(v)
        return (logits + model(torch.flip(v, dims=[3]))) * 0.5 if tta else logits

    if not tta or shift <= 0:
        return flip_mean(x)
    return flip_mean(x) * 0.5 + flip_mean(translate(x, -shift)) * 0.25 + flip_mean(translate(x, shift)) * 0.25


def tta_of(metadata):
    """(tta, shift) as a weights file's __metadata__ states them."""
    tta = metadata.get("tta") == "true"
    return tta, int(metadata.get("tta_translate", "0")) if tta else 0
