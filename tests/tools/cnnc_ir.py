"""Reading the weights out of `cnnc ir` text: each cnn.weight's name, its names
under the other checkpoint schemes (its `aliases`), and its shape. Used by the
test tools that write or check weights by name."""
import re

WEIGHT_LINE = re.compile(
    r'cnn\.weight "([^"]+)"(?: buffer)?(?: \{aliases = \{([^}]*)\}\})? : tensor<([0-9x]+)xf32>')
ALIAS = re.compile(r'(\w+) = "([^"]+)"')


def weights(ir):
    """(name, {scheme: name there}, shape) of every float32 cnn.weight, in IR order."""
    return [(name, dict(ALIAS.findall(aliases)), [int(d) for d in dims.split("x")])
            for name, aliases, dims in WEIGHT_LINE.findall(ir)]
