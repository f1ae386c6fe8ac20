"""The models of convnet.ts as PyTorch modules, built from a weights file's configuration."""

from .airnet import AirNet
from .convnet import CNN
from .mymodel import MyModel

# Our model names (the --model flag of `deno task train`) -> the PyTorch twin.
MODELS = {"convnet": CNN, "mymodel": MyModel, "airnet": AirNet}
# airnet's block widths when the configuration names none (AIRNET_WIDTHS in nn/models/airnet.ts).
AIRNET_WIDTHS = (64, 128, 128)


def build_model(config):
    """The twin of `buildModel()` in nn/checkpoint.ts: config is the `model` JSON of the
    file's __metadata__: {"name", "imSize", "hiddenDim", "kernelSize", "nClasses"} and, for
    airnet, "widths" and "frozenBnScale"."""
    name = config.get("name")
    if name not in MODELS:
        raise ValueError(f'Cannot build model "{name}": use one of {", ".join(MODELS)}')
    if name == "airnet":
        widths = config.get("widths") or AIRNET_WIDTHS
        return AirNet(config["imSize"], widths, config["nClasses"], config.get("frozenBnScale", True))
    return MODELS[name](config["imSize"], config["hiddenDim"], config["kernelSize"], config["nClasses"])
