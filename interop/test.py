"""The homework's test.py in PyTorch: predicts CIFAR-10 with a convnet.ts weights file and
writes predictions.csv (`image_id,label`, one row per image, 0-based ids), as
`deno task predict` does (tasks/predict.ts), with the test-time augmentation the model was
trained with (flips, and airnet's shifts).

    /usr/bin/python3 interop/test.py --model runs/mymodel-.../mymodel.safetensors
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402
import torch  # noqa: E402

import cifar10  # noqa: E402
from weights import load_weights, normalize, predict_logits, tta_of  # noqa: E402


def resolve_weights(path):
    """The file, or the one weights file of a run folder."""
    if not os.path.isdir(path):
        return path
    found = [n for n in os.listdir(path) if n.endswith(".safetensors") and n != "checkpoint.safetensors"]
    if len(found) != 1:
        raise SystemExit(f'Cannot predict with --model "{path}": the folder holds {len(found)} weights files; name one')
    return os.path.join(path, found[0])


def load_images(args):
    """(images (N, 3, 32, 32) uint8, labels or None, source)"""
    if args.images:
        a = np.load(args.images)
        if a.dtype != np.uint8 or a.ndim != 4 or a.shape[1:] != (32, 32, 3):
            raise SystemExit(f'Cannot predict "{args.images}": the images must be uint8 (N, 32, 32, 3), got {a.dtype} {a.shape}')
        return np.ascontiguousarray(a.transpose(0, 3, 1, 2)), None, args.images
    d = cifar10.find_dir(args.cifar10_dir)
    images, labels = cifar10.load_split(d, "test")
    return images, labels, f"the CIFAR-10 test batch in {d}"


def main(argv=None):
    p = argparse.ArgumentParser(description="Predict classes with a convnet.ts weights file in PyTorch.")
    p.add_argument("--model", required=True, help="the weights file (runs/.../<model>.safetensors) or its run folder")
    p.add_argument("--images", help="a .npy of uint8 images (N, 32, 32, 3); default: the CIFAR-10 test batch")
    p.add_argument("--out", default="predictions.csv", help="the CSV to write (default predictions.csv)")
    p.add_argument("--batch-size", type=int, default=500, help="images per forward pass (default 500)")
    p.add_argument("--limit", type=int, help="predict only the first N images")
    p.add_argument("--no-tta", action="store_true", help="no test-time augmentation (flips and shifts)")
    p.add_argument("--cifar10-dir", help="the folder holding test_batch.bin (default $CIFAR10_DIR)")
    args = p.parse_args(argv)
    path = resolve_weights(args.model)
    model, config, metadata = load_weights(path)
    norm = json.loads(metadata["normalization"]) if "normalization" in metadata else None
    tta, shift = (False, 0) if args.no_tta else tta_of(metadata)
    images, labels, source = load_images(args)
    if args.limit is not None:
        images = images[: args.limit]
        labels = None if labels is None else labels[: args.limit]
    print(f"Configuration: {json.dumps({'model': path, 'config': config, 'tta': tta, 'tta_translate': shift, 'images': source, 'count': len(images)})}")
    preds = []
    for start in range(0, len(images), args.batch_size):
        x = normalize(images[start : start + args.batch_size], norm)
        preds.append(predict_logits(model, x, tta, shift).argmax(1).numpy())
    preds = np.concatenate(preds) if preds else np.zeros(0, np.int64)
    lines = ["image_id,label"] + [f"{i},{c}" for i, c in enumerate(preds)]
    tmp = f"{args.out}.tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, args.out)
    print(f"Wrote {len(preds)} predictions to {args.out}")
    if labels is not None:
        correct = int((preds == labels).sum())
        print(f"Accuracy: {correct}/{len(preds)} ({100 * correct / len(preds):.2f}%)")


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    try:
        main()
    except (ValueError, OSError) as e:  # a bad weights file, missing CIFAR-10: the message only
        sys.exit(f"{e}")
