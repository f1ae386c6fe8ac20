"""CIFAR-10's binary version (cifar-10-batches-bin) with numpy: what test.py and train.py read."""

import os

import numpy as np

RECORD = 1 + 3 * 32 * 32  # a label byte, then the image (3, 32, 32)
TRAIN_FILES = [f"data_batch_{i}.bin" for i in range(1, 6)]
TEST_FILE = "test_batch.bin"


def find_dir(cifar10_dir=None):
    """--cifar10-dir, else $CIFAR10_DIR, else data/cifar-10-batches-bin."""
    d = cifar10_dir or os.environ.get("CIFAR10_DIR") or "data/cifar-10-batches-bin"
    if not os.path.isfile(os.path.join(d, TEST_FILE)):
        raise FileNotFoundError(
            f'Cannot find CIFAR-10 in "{d}": run `deno task data:cifar10` or pass --cifar10-dir'
        )
    return d


def load_batch(path):
    """(images: (N, 3, 32, 32) uint8, labels: (N) int64) of one .bin file."""
    raw = np.fromfile(path, np.uint8)
    if raw.size % RECORD:
        raise ValueError(f'Cannot read "{path}": {raw.size} bytes is not a whole number of records')
    raw = raw.reshape(-1, RECORD)
    return raw[:, 1:].reshape(-1, 3, 32, 32).copy(), raw[:, 0].astype(np.int64)


def load_split(cifar10_dir, split):
    """"train" (the five training batches) or "test"."""
    files = TRAIN_FILES if split == "train" else [TEST_FILE]
    parts = [load_batch(os.path.join(cifar10_dir, f)) for f in files]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
