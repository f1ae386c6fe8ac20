"""Train a convnet.ts model in PyTorch: continue from one of our weights files, or start a new
twin, then save a weights file that `deno task predict` (and this folder's test.py) read.

    /usr/bin/python3 interop/train.py --model runs/mymodel-.../mymodel.safetensors \
        --epochs 1 --lr 0.05 --nesterov --label-smoothing 0.2 --augment --out mymodel-torch.safetensors

The recipe is the homework's train.py: SGD (momentum, PyTorch's weight decay, optionally
Nesterov), cross-entropy with optional label smoothing, a constant learning rate, and with
--augment random 4-pixel translations and horizontal flips. The input normalisation is the
source file's (or, for --new, the training images' per-channel mean and std, as
`deno task train` computes it), and is saved with the weights.
"""

import argparse
import json
import sys
import time

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import cifar10  # noqa: E402
from models import build_model  # noqa: E402
from weights import load_weights, normalize, predict_logits, save_weights, tta_of  # noqa: E402

# --new's model sizes when not given: those of `deno task train:convnet` / `train:mymodel`.
NEW_DEFAULTS = {"convnet": {"hiddenDim": 32, "kernelSize": 7}, "mymodel": {"hiddenDim": 16, "kernelSize": 3}}
PAD = 4  # --augment's translation, in pixels


def channel_normalization(images):
    """Per-channel mean and population std in 0..1 units, from exact value counts as
    data/normalize.ts's channelMeanStd computes them (the same numbers)."""
    values = np.arange(256, dtype=np.float64)
    mean, std = [], []
    for c in range(images.shape[1]):
        hist = np.bincount(images[:, c].ravel(), minlength=256).astype(np.float64)
        count = hist.sum()
        m = float((hist * values).sum()) / count
        sq = float((hist * values * values).sum()) / count
        mean.append(m / 255)
        std.append(max(0.0, sq - m * m) ** 0.5 / 255)
    return {"kind": "channel", "mean": mean, "std": std}


def augment(images, rng):
    """Random 4-pixel translations (zero padding) and horizontal flips of uint8 (B, 3, H, W)."""
    b, _, h, w = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (PAD, PAD), (PAD, PAD)))
    out = np.empty_like(images)
    dy, dx = rng.integers(0, 2 * PAD + 1, b), rng.integers(0, 2 * PAD + 1, b)
    flip = rng.random(b) < 0.5
    for i in range(b):
        crop = padded[i, :, dy[i] : dy[i] + h, dx[i] : dx[i] + w]
        out[i] = crop[:, :, ::-1] if flip[i] else crop
    return out


def train_steps(model, optimizer, images, labels, norm, options, log=print):
    """Runs options["epochs"] epochs (or options["steps"] steps) of SGD; returns steps taken."""
    rng = np.random.default_rng(options.get("seed", 0))
    bs, steps, step = options["batch_size"], options.get("steps"), 0
    model.train()
    for epoch in range(options["epochs"]):
        order = rng.permutation(len(images)) if options.get("shuffle", True) else np.arange(len(images))
        for start in range(0, len(images), bs):
            if steps is not None and step >= steps:
                return step
            idx = order[start : start + bs]
            batch = augment(images[idx], rng) if options.get("augment") else images[idx]
            logits = model(normalize(batch, norm))
            loss = F.cross_entropy(
                logits, torch.from_numpy(labels[idx]), label_smoothing=options.get("label_smoothing", 0.0)
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if step % options.get("log_interval", 50) == 0:
                log(f"Epoch: {epoch} [{start + len(idx)}/{len(images)}]\tTrain Loss: {loss.item():.6f}")
    return step


def make_optimizer(model, args):
    return torch.optim.SGD(
        model.parameters(),
        lr=args.lr,
        momentum=args.momentum,
        weight_decay=args.weight_decay,
        nesterov=args.nesterov,
    )


def main(argv=None):
    p = argparse.ArgumentParser(description="Train a convnet.ts model in PyTorch.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", help="the weights file to continue from")
    src.add_argument("--new", choices=sorted(NEW_DEFAULTS), help="start a new model of this kind")
    p.add_argument("--hidden-dim", type=int, help="with --new: the width (default as deno task train)")
    p.add_argument("--kernel-size", type=int, help="with --new: the conv kernel size")
    p.add_argument("--out", required=True, help="the weights file to write")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--steps", type=int, help="stop after this many steps")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--nesterov", action="store_true")
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--augment", action="store_true", help="random translations and flips")
    p.add_argument("--tta", choices=["true", "false"], help="predict with flip TTA (default: the source's)")
    p.add_argument("--limit", type=int, help="train on the first N training images only")
    p.add_argument("--test-limit", type=int, default=10000, help="test images to report accuracy on (0: none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, help="torch.set_num_threads")
    p.add_argument("--cifar10-dir", help="the folder holding data_batch_1.bin ... (default $CIFAR10_DIR)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.model:  # first: a bad file is refused before CIFAR-10 is read
        model, config, metadata = load_weights(args.model)
        norm = json.loads(metadata["normalization"]) if "normalization" in metadata else None
    d = cifar10.find_dir(args.cifar10_dir)
    images, labels = cifar10.load_split(d, "train")
    images, labels = images[: args.limit], labels[: args.limit]
    if not args.model:
        sizes = NEW_DEFAULTS[args.new]
        config = {
            "name": args.new,
            "imSize": [3, 32, 32],
            "hiddenDim": args.hidden_dim or sizes["hiddenDim"],
            "kernelSize": args.kernel_size or sizes["kernelSize"],
            "nClasses": 10,
        }
        model, metadata, norm = build_model(config), {}, channel_normalization(images)
    # The source's other metadata (classes, tta) stays; its training configuration does not.
    keep = {k: v for k, v in metadata.items() if k not in ("format", "model", "first_conv", "train_config")}
    keep["normalization"] = json.dumps(norm, separators=(",", ":"))
    if args.tta:
        keep["tta"] = args.tta
    print(f"Configuration: {json.dumps({'config': config, 'args': vars(args)})}")
    t0 = time.time()
    options = {
        "epochs": args.epochs,
        "steps": args.steps,
        "batch_size": args.batch_size,
        "label_smoothing": args.label_smoothing,
        "augment": args.augment,
        "seed": args.seed,
    }
    steps = train_steps(model, make_optimizer(model, args), images, labels, norm, options)
    save_weights(args.out, model, config, keep)
    print(f"Trained {steps} steps in {time.time() - t0:.1f} s; wrote {args.out}")
    if args.test_limit:
        test_images, test_labels = cifar10.load_split(d, "test")
        test_images, test_labels = test_images[: args.test_limit], test_labels[: args.test_limit]
        correct, (tta, shift) = 0, tta_of(keep)
        for s in range(0, len(test_images), 500):
            pred = predict_logits(model, normalize(test_images[s : s + 500], norm), tta, shift).argmax(1).numpy()
            correct += int((pred == test_labels[s : s + 500]).sum())
        print(f"Test accuracy: {correct}/{len(test_images)} ({100 * correct / len(test_images):.2f}%)")


if __name__ == "__main__":
    try:
        main()
    except (ValueError, OSError) as e:  # a bad weights file, missing CIFAR-10: the message only
        sys.exit(f"{e}")
