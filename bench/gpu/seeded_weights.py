"""The same seeded weights for a torchvision model on any machine and any
PyTorch version: NumPy's PCG64 stream (stable across versions), drawn in
module order. Convolution and linear weights take one of seven levels of
±bound (unit variance through a layer, and a stream that xz packs to a
fifth of its size, so that the weights travel to a GPU machine cheaply);
biases and batch-norm statistics are random floats, so that folding them is
really exercised."""
import hashlib

import numpy as np
import torch


def fill(model, seed):
    rng = np.random.Generator(np.random.PCG64(seed))

    def put(tensor, values):
        tensor.copy_(torch.from_numpy(np.asarray(values, dtype=np.float32).reshape(tensor.shape)))

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
                weight = module.weight
                bound = (3.0 / weight[0].numel()) ** 0.5
                put(weight, rng.integers(-3, 4, weight.numel()) / 3.0 * bound)
                if module.bias is not None:
                    put(module.bias, rng.uniform(-0.1, 0.1, module.bias.numel()))
            elif isinstance(module, torch.nn.BatchNorm2d):
                put(module.weight, rng.uniform(0.5, 1.5, module.num_features))
                put(module.bias, rng.normal(0.0, 0.1, module.num_features))
                put(module.running_mean, rng.normal(0.0, 0.1, module.num_features))
                put(module.running_var, rng.uniform(0.5, 2.0, module.num_features))
    return model.eval()


def digest(model):
    """A SHA-256 of the state dict's values in order: the same weights on both machines."""
    h = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        if tensor.is_floating_point():
            h.update(name.encode())
            h.update(tensor.detach().cpu().contiguous().numpy().astype("<f4").tobytes())
    return h.hexdigest()
