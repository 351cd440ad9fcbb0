"""torchvision's ImageNet evaluation preprocessing of an image, as a .npy input:
the shorter side resized (bilinear, no antialiasing) to resolution / 0.875,
a centered square crop, ImageNet normalization.
usage: torchvision_preprocess.py IMAGE RESOLUTION OUT.npy"""
import sys
import warnings

import numpy as np
import torchvision.transforms.functional as F
from PIL import Image

warnings.filterwarnings("ignore")
path, resolution, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
image = F.pil_to_tensor(Image.open(path).convert("RGB")).float() / 255
image = F.resize(image, round(resolution / 0.875), interpolation=F.InterpolationMode.BILINEAR,
                 antialias=False)
image = F.center_crop(image, resolution)
image = F.normalize(image, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
np.save(out, image[None].numpy())
