"""A PyTorch twin of a custom cnnc spec, written from the spec language's
documented semantics (docs/spec-language.md), not from cnnc's lowering: the
independent reference for specs torchvision has no model of (Fused-MBConv,
SE, CBAM in any mix).

The structure comes from `cnnc ir SPEC --level scaled` (each stage's blocks:
kind, kernel, stride, attention settings) and the weights' torchvision names
(`features.S.B.block.K...`): a block's layers are its `block.K` entries in
order; a convolution's groups and kernel come from its filter's shape."""
import re
import subprocess

import torch
import torch.nn.functional as F

from cnnc_ir import weights as weights_of

STAGE = re.compile(r"effnet\.stage attributes \{repeats = (\d+) : i64\} \{\s*effnet\.(\w+) \{([^\n]*)\}")
STEM = re.compile(r"effnet\.stem \{([^\n]*)\}")
HEAD = re.compile(r"effnet\.head \{([^\n]*)\}")
EPS = re.compile(r"batch_norm_eps = ([0-9.e+-]+)")
ACTIVATIONS = {"silu": F.silu, "relu": F.relu, "relu6": F.relu6, "hardswish": F.hardswish,
               "sigmoid": torch.sigmoid, "hardsigmoid": F.hardsigmoid}


def attribute(text, name):
    """An integer attribute's value ("stride = 2 : i64")."""
    return int(re.search(r"\b" + name + r" = (-?\d+)", text).group(1))


def activation(text, name="activation"):
    return ACTIVATIONS[re.search(name + r" = (?:#cnn<activation )?(\w+)", text).group(1)]


class SpecTwin:
    def __init__(self, scaled_ir, weights):
        self.w = weights
        self.eps = float(EPS.search(scaled_ir).group(1))
        stem = STEM.search(scaled_ir).group(1)
        self.stem_stride = attribute(stem, "stride")
        self.stem_act = activation(stem)
        self.blocks = []  # (prefix, kind, stride, attributes)
        for s, (repeats, kind, attrs) in enumerate(STAGE.findall(scaled_ir), start=1):
            for b in range(int(repeats)):
                stride = attribute(attrs, "stride") if b == 0 else 1
                self.blocks.append((f"features.{s}.{b}", kind, stride, attrs))
        self.head = f"features.{len(STAGE.findall(scaled_ir)) + 1}"
        self.head_act = activation(HEAD.search(scaled_ir).group(1))

    def conv_bn(self, x, prefix, stride=1, act=None):
        """`prefix`.0 a convolution (groups from its filter), `prefix`.1 its batch norm."""
        weight = self.w[prefix + ".0.weight"]
        groups = x.shape[1] if weight.shape[1] == 1 and x.shape[1] > 1 else 1
        x = F.conv2d(x, weight, stride=stride, padding=weight.shape[-1] // 2, groups=groups)
        x = F.batch_norm(x, self.w[prefix + ".1.running_mean"], self.w[prefix + ".1.running_var"],
                         self.w[prefix + ".1.weight"], self.w[prefix + ".1.bias"], eps=self.eps)
        return act(x) if act else x

    def fc(self, x, prefix):
        return F.conv2d(x, self.w[prefix + ".weight"], self.w[prefix + ".bias"])

    def se(self, x, prefix, attrs):
        s = activation(attrs, "activation")(self.fc(x.mean((2, 3), keepdim=True), prefix + ".fc1"))
        return x * activation(attrs, "gate")(self.fc(s, prefix + ".fc2"))

    def cbam(self, x, prefix):
        mlp = lambda v: self.fc(F.relu(self.fc(v, prefix + ".channel.fc1")), prefix + ".channel.fc2")
        x = x * torch.sigmoid(mlp(x.mean((2, 3), keepdim=True)) + mlp(x.amax((2, 3), keepdim=True)))
        maps = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1)
        return x * torch.sigmoid(self.conv_bn(maps, prefix + ".spatial"))

    def layers(self, prefix):
        """The block's `block.K` indices, in order."""
        start = prefix + ".block."
        found = {int(n[len(start):].split(".")[0]) for n in self.w if n.startswith(start)}
        return [f"{start}{k}" for k in sorted(found)]

    def block(self, x, prefix, kind, stride, attrs):
        act = activation(attrs)
        layers = self.layers(prefix)
        y = x
        convolutions = [l for l in layers if l + ".0.weight" in self.w]
        for layer in layers:
            if layer + ".fc1.weight" in self.w:
                y = self.se(y, layer, re.search(r"se = #effnet\.se<([^>]*)>", attrs).group(1))
            elif layer + ".channel.fc1.weight" in self.w:
                y = self.cbam(y, layer)
            else:
                last = layer == convolutions[-1] and len(convolutions) > 1
                # The spatial convolution: the block's stride, on the depthwise
                # convolution of an MBConv, on the first convolution of a Fused-MBConv.
                strided = (self.w[layer + ".0.weight"].shape[-1] > 1 and
                           (kind == "fused_mbconv" and layer == convolutions[0] or
                            kind == "mbconv" and self.w[layer + ".0.weight"].shape[1] == 1))
                y = self.conv_bn(y, layer, stride if strided else 1, None if last else act)
        return x + y if stride == 1 and x.shape == y.shape else y

    def __call__(self, x):
        with torch.no_grad():
            x = self.conv_bn(x, "features.0", self.stem_stride, self.stem_act)
            for prefix, kind, stride, attrs in self.blocks:
                x = self.block(x, prefix, kind, stride, attrs)
            x = self.conv_bn(x, self.head, 1, self.head_act)
            return F.linear(x.mean((2, 3)), self.w["classifier.1.weight"],
                            self.w["classifier.1.bias"])


def make_spec_fixture(cnnc, spec, seed=0):
    """Seeded random weights under a spec's torchvision names (batch-norm
    statistics randomized), a seeded input, and the twin's logits."""
    ir = subprocess.run([cnnc, "ir", spec], capture_output=True, text=True, check=True).stdout
    scaled = subprocess.run([cnnc, "ir", spec, "--level", "scaled"], capture_output=True,
                            text=True, check=True).stdout
    generator = torch.Generator().manual_seed(seed)
    uniform = lambda shape, low, high: torch.rand(shape, generator=generator) * (high - low) + low
    weights = {}
    for name, _, shape in weights_of(ir):
        if name.endswith("running_var"):
            weights[name] = uniform(shape, 0.5, 2.0)
        elif name.endswith("running_mean") or name.endswith("bias"):
            weights[name] = torch.randn(shape, generator=generator) * 0.1
        elif len(shape) == 1:  # a batch norm's scale
            weights[name] = uniform(shape, 0.5, 1.5)
        else:  # unit variance through the layer
            bound = (3.0 / torch.tensor(shape[1:]).prod().item()) ** 0.5
            weights[name] = uniform(shape, -bound, bound)
    resolution = int(re.search(r"tensor<1x\d+x(\d+)x", ir).group(1))
    inputs = torch.randn(1, 3, resolution, resolution, generator=generator)
    return weights, inputs, SpecTwin(scaled, weights)(inputs).numpy()
