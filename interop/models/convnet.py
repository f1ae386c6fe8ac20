"""The homework's shallow ConvNet (models/convnet.py), twin of nn/models/convnet.ts.

conv(C -> hidden_dim, kernel_size, 'same' padding) - ReLU - 2x2 max-pool - flatten -
linear(hidden_dim * H/2 * W/2 -> n_classes). The children carry the names of our model, so its
state_dict holds conv.weight, conv.bias, fc.weight and fc.bias, as our weights files do.
"""

import torch.nn as nn


class CNN(nn.Module):
    def __init__(self, im_size, hidden_dim, kernel_size, n_classes):
        """im_size: (channels, height, width); kernel_size odd; height and width even."""
        super().__init__()
        c, h, w = im_size
        if kernel_size % 2 == 0 or h % 2 or w % 2:
            raise ValueError(
                f"Cannot build CNN: kernel_size must be odd and the image size even, got "
                f"kernel_size {kernel_size} and {h}x{w}"
            )
        self.conv = nn.Conv2d(c, hidden_dim, kernel_size, padding=(kernel_size - 1) // 2)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(hidden_dim * (h // 2) * (w // 2), n_classes)

    def forward(self, images):
        """images: (N, C, H, W) -> scores: (N, n_classes)"""
        return self.fc(self.flatten(self.pool(self.relu(self.conv(images)))))
