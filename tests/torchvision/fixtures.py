"""Reference fixtures from torchvision models: seeded random weights (batch-norm
running statistics randomized too, so that folding them is really exercised), a
seeded input, and PyTorch's logits, saved as safetensors and .npy."""
import collections
import json
import struct

import numpy as np
import torch
import torchvision.models as tvm

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def randomize(model, seed):
    """Gives every parameter and batch-norm statistic a seeded random value."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
                fan_in = module.weight[0].numel()
                bound = (3.0 / fan_in) ** 0.5  # unit variance through the layer
                module.weight.uniform_(-bound, bound, generator=generator)
                if module.bias is not None:
                    module.bias.uniform_(-0.1, 0.1, generator=generator)
            elif isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5, generator=generator)
                module.bias.normal_(0.0, 0.1, generator=generator)
                module.running_mean.normal_(0.0, 0.1, generator=generator)
                module.running_var.uniform_(0.5, 2.0, generator=generator)
    return model.eval()


def save_safetensors(path, tensors, dtype=torch.float32):
    """Writes {name: tensor} in the safetensors format (floats converted to `dtype`)."""
    header, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        if tensor.is_floating_point():
            tensor = tensor.to(dtype)
        data = tensor.contiguous().view(torch.uint8).numpy().tobytes() if tensor.dtype == torch.bfloat16 \
            else tensor.contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for chunk in chunks:
            f.write(chunk)


Fixture = collections.namedtuple("Fixture", "weights inputs logits model")


def make_fixture(builder, resolution, directory, seed=0, dtype=torch.float32):
    """Writes weights.safetensors, input.npy and logits.npy for torchvision's `builder`;
    returns their paths, the logits and the model."""
    model = randomize(getattr(tvm, builder)(), seed)
    with torch.no_grad():  # the logits are those of the weights as stored
        for tensor in list(model.parameters()) + list(model.buffers()):
            if tensor.is_floating_point():
                tensor.copy_(tensor.to(dtype).to(torch.float32))
    generator = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(1, 3, resolution, resolution, generator=generator)
    with torch.no_grad():
        logits = model(x)
    save_safetensors(f"{directory}/weights.safetensors", model.state_dict(), dtype)
    np.save(f"{directory}/input.npy", x.numpy())
    np.save(f"{directory}/logits.npy", logits.numpy())
    return Fixture(f"{directory}/weights.safetensors", f"{directory}/input.npy", logits.numpy(),
                   model)
