"""Our best CIFAR-10 net (models/mymodel.py), twin of nn/models/mymodel.ts: David Page's
ResNet-9 with a width knob (w = hidden_dim, k = kernel_size, every conv 'same'-padded and
bias-free before BN; BatchNorm2d with PyTorch's defaults, eps 1e-5 and momentum 0.1):

    prep    conv(C->w)                 BN ReLU            H x W
    layer1  conv(w->2w)   maxpool 2    BN ReLU            H/2
    res1    x + (conv BN ReLU conv BN ReLU)(x), 2w       H/2
    layer2  conv(2w->4w)  maxpool 2    BN ReLU            H/4
    layer3  conv(4w->8w)  maxpool 2    BN ReLU            H/8
    res3    x + (conv BN ReLU conv BN ReLU)(x), 8w       H/8
    pool    global max-pool -> flatten -> linear(8w->n_classes, no bias) -> x SCALE

The module names match ours (prep.0.weight, prep.1.running_mean, res1.body.3.weight, fc.weight),
so our weights load with strict=True.
"""

import torch.nn as nn

# The logits' factor (Page's Mul(0.125)): small initial logits train faster.
SCALE = 0.125


def conv_bn_relu(cin, cout, k, pool):
    """conv(cin->cout) [- maxpool 2] - BN - ReLU"""
    conv = nn.Conv2d(cin, cout, k, padding=(k - 1) // 2, bias=False)
    layers = [conv, nn.MaxPool2d(2)] if pool else [conv]
    return nn.Sequential(*layers, nn.BatchNorm2d(cout), nn.ReLU())


class Residual(nn.Module):
    """x + body(x)"""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)


class Scale(nn.Module):
    """x * factor"""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor


def residual(ch, k):
    return Residual(nn.Sequential(*conv_bn_relu(ch, ch, k, False), *conv_bn_relu(ch, ch, k, False)))


class MyModel(nn.Module):
    def __init__(self, im_size, hidden_dim, kernel_size, n_classes):
        """im_size: (channels, height, width), square with a side divisible by 8."""
        super().__init__()
        c, h, w_ = im_size
        if h != w_ or h % 8 or kernel_size % 2 == 0:
            raise ValueError(
                f"Cannot build MyModel: images must be square with a side divisible by 8 and "
                f"kernel_size odd, got {h}x{w_} and kernel_size {kernel_size}"
            )
        w, k = hidden_dim, kernel_size
        self.prep = conv_bn_relu(c, w, k, False)
        self.layer1 = conv_bn_relu(w, 2 * w, k, True)
        self.res1 = residual(2 * w, k)
        self.layer2 = conv_bn_relu(2 * w, 4 * w, k, True)
        self.layer3 = conv_bn_relu(4 * w, 8 * w, k, True)
        self.res3 = residual(8 * w, k)
        self.pool = nn.MaxPool2d(h // 8)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(8 * w, n_classes, bias=False)
        self.scale = Scale(SCALE)

    def forward(self, images):
        """images: (N, C, H, W) -> scores: (N, n_classes)"""
        x = images
        for m in self.children():
            x = m(x)
        return x
