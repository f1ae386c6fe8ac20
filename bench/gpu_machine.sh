#!/usr/bin/env bash
# For a session on the GPU machine (see /work/.library/device/README.md): prints, in one run,
# our WebGPU conv GFLOP/s and convnet and mymodel (ResNet-9, train:mymodel's recipe, synthetic
# batches) training images/s next to PyTorch's on the same GPU.
# Run from the repository root, carrying `.gl` (the Vulkan/GL loader .debs) and, when Deno is
# not installed there, a `deno` binary in `.deno/`:
#   run(command="bash bench/gpu_machine.sh", carry=[".gl", ".deno"])
set -uo pipefail

if compgen -G ".gl/*.deb" >/dev/null; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
DENO="${DENO:-$(command -v deno || echo .deno/deno)}"
if [ ! -x "$DENO" ]; then
  echo "gpu_machine.sh: no deno found: carry a deno binary as .deno/deno or set DENO" >&2
  exit 1
fi
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || true

echo "== WebGPU (convnet.ts) =="
"$DENO" run --allow-read --allow-env bench/gpu_throughput.ts

echo "== PyTorch, same GPU (f32, TF32 off) =="
PYTHONUNBUFFERED=1 python3 - <<'PY'
import time
try:
    import torch
except ImportError:
    raise SystemExit("PyTorch is not installed here: nothing to compare")
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
dev = "cuda"

def timed(fn, repeats=20):
    fn(); torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(repeats): fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / repeats

x = torch.randn(128, 64, 32, 32, device=dev, requires_grad=True)
conv = torch.nn.Conv2d(64, 64, 3, padding=1).to(dev)
g = torch.randn(128, 64, 32, 32, device=dev)
def conv_step():
    x.grad = None; conv.zero_grad(set_to_none=True)
    conv(x).backward(g)
s = timed(conv_step)
flops = 3 * 2 * 128 * 64 * 32 * 32 * 64 * 9
print(f"torch conv fwd+bwd (128,64,32,32)x(64,64,3,3): {s*1e3:.2f} ms, {flops/s/1e9:.0f} GFLOP/s")

net = torch.nn.Sequential(torch.nn.Conv2d(3, 32, 7, padding=3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                          torch.nn.Flatten(), torch.nn.Linear(32 * 16 * 16, 10)).to(dev)
opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9)
xb = torch.randn(128, 3, 32, 32, device=dev); yb = torch.randint(0, 10, (128,), device=dev)
def train_step():
    opt.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(net(xb), yb).backward()
    opt.step()
s = timed(train_step, 100)
print(f"torch convnet train step B=128: {128/s:.0f} images/s")

# mymodel: Page's ResNet-9 as nn/models/mymodel.ts builds it (w = 16, bias-free convs, pooling
# before BN, global max-pool, linear without bias, x1/8), train:mymodel's loss and optimizer
nn = torch.nn
def cbr(cin, cout, pool):
    conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
    return [conv] + ([nn.MaxPool2d(2)] if pool else []) + [nn.BatchNorm2d(cout), nn.ReLU()]
class Residual(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.body = nn.Sequential(*cbr(ch, ch, False), *cbr(ch, ch, False))
    def forward(self, x):
        return x + self.body(x)
class Scale(nn.Module):
    def forward(self, x):
        return x * 0.125
w = 16
resnet = nn.Sequential(*cbr(3, w, False), *cbr(w, 2 * w, True), Residual(2 * w),
                       *cbr(2 * w, 4 * w, True), *cbr(4 * w, 8 * w, True), Residual(8 * w),
                       nn.MaxPool2d(4), nn.Flatten(), nn.Linear(8 * w, 10, bias=False),
                       Scale()).to(dev)
ropt = torch.optim.SGD(resnet.parameters(), lr=0.4, momentum=0.9, weight_decay=5e-4,
                       nesterov=True)
xr = torch.randn(512, 3, 32, 32, device=dev); yr = torch.randint(0, 10, (512,), device=dev)
def resnet_step():
    ropt.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(resnet(xr), yr, label_smoothing=0.2).backward()
    ropt.step()
s = timed(resnet_step, 20)
print(f"torch mymodel (w=16) train step B=512: {512/s:.0f} images/s")
PY
