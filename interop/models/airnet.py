"""airbench's net (models/airnet.py), twin of nn/models/airnet.ts (Keller Jordan's
cifar10-airbench, with ReLU where airbench has GELU, as ours):

    whiten  conv 2x2 (C -> 2*C*4, no padding, bias) - ReLU                 H-1
    block1  conv 3x3 (->w1) - maxpool 2 - BN - ReLU - conv 3x3 - BN - ReLU  (H-1)/2
    block2  the same at w2                                                  (H-1)/4
    block3  the same at w3                                                  (H-1)/8
    pool    max-pool over what is left - flatten - linear(w3 -> classes, no bias) - x 1/9

The 3x3 convs are 'same'-padded and bias-free; the batch norms use airbench's eps 1e-12 and
momentum 0.4 (PyTorch's convention, as ours), and with `frozen_bn_scale` their weight stays 1
(requires_grad False; it is still saved, as ours). The module names match ours (whiten.weight,
block1.0.weight, block1.2.running_mean, fc.weight), so our weights load with strict=True.
"""

import torch.nn as nn

from .mymodel import Scale

STEM_KERNEL = 2
BN_EPS = 1e-12
BN_MOMENTUM = 0.4
OUTPUT_SCALE = 1 / 9


def batch_norm(channels, frozen_scale):
    bn = nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)
    bn.weight.requires_grad_(not frozen_scale)
    return bn


def block(cin, cout, frozen_scale):
    """conv - maxpool 2 - BN - ReLU - conv - BN - ReLU"""
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        nn.MaxPool2d(2),
        batch_norm(cout, frozen_scale),
        nn.ReLU(),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False),
        batch_norm(cout, frozen_scale),
        nn.ReLU(),
    )


class AirNet(nn.Sequential):
    """The net for images (C, H, H) with block widths `widths` and `n_classes` logits."""

    def __init__(self, im_size, widths, n_classes, frozen_bn_scale=True):
        c, h, w = im_size
        if len(widths) != 3 or h != w:
            raise ValueError(f"Cannot build AirNet: need three widths and square images, got {widths}, {h}x{w}")
        side = (h - STEM_KERNEL + 1) // 2 // 2 // 2
        if side < 1:
            raise ValueError(f"Cannot build AirNet: images must be at least 9x9, got {h}x{w}")
        stem = 2 * c * STEM_KERNEL * STEM_KERNEL
        super().__init__()
        self.add_module("whiten", nn.Conv2d(c, stem, STEM_KERNEL))
        self.add_module("act", nn.ReLU())
        cin = stem
        for i, width in enumerate(widths):
            self.add_module(f"block{i + 1}", block(cin, width, frozen_bn_scale))
            cin = width
        self.add_module("pool", nn.MaxPool2d(side))
        self.add_module("flatten", nn.Flatten())
        self.add_module("fc", nn.Linear(cin, n_classes, bias=False))
        self.add_module("scale", Scale(OUTPUT_SCALE))
