"""The models of convnet.ts as PyTorch modules, built from a weights file's configuration."""

from .convnet import CNN
from .mymodel import MyModel

# Our model names (the --model flag of `deno task train`) -> the PyTorch twin.
MODELS = {"convnet": CNN, "mymodel": MyModel}


def build_model(config):
    """The twin of `buildModel()` in nn/checkpoint.ts: config is the `model` JSON of the
    file's __metadata__: {"name", "imSize", "hiddenDim", "kernelSize", "nClasses"}."""
    name = config.get("name")
    if name not in MODELS:
        raise ValueError(f'Cannot build model "{name}": use one of {", ".join(MODELS)}')
    return MODELS[name](config["imSize"], config["hiddenDim"], config["kernelSize"], config["nClasses"])
