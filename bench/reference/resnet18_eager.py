"""A plain PyTorch eager training loop of torchvision's ResNet-18, the side
bench/onnx_import.sh compares FiveR's imported ResNet-18 with: the same network
(a one-channel stem, as `channels: sum` makes the imported one; 10 classes),
fp32, SGD with Nesterov momentum, batch 128 of 28x28 images, on N threads.
Prints the mean step time of the steps after the first `warmup` as JSON.

    /usr/bin/python3 bench/reference/resnet18_eager.py STEPS [THREADS] [WARMUP]
"""
import json
import sys
import time

import torch
import torchvision

steps = int(sys.argv[1])
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 50
torch.set_num_threads(threads)
torch.manual_seed(0)

model = torchvision.models.resnet18(num_classes=10)
model.conv1 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
model.train()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
loss_fn = torch.nn.CrossEntropyLoss()
# The step time does not depend on the pixel values: one fixed batch.
images = torch.randn(128, 1, 28, 28)
labels = torch.randint(0, 10, (128,))


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(images), labels)
    loss.backward()
    optimizer.step()


for _ in range(warmup):
    step()
start = time.perf_counter()
for _ in range(steps - warmup):
    step()
elapsed = time.perf_counter() - start
print(json.dumps({"step_seconds": elapsed / (steps - warmup), "steps": steps - warmup,
                  "threads": threads, "torch": torch.__version__}))
