"""cnnc's image input (tools/cnnc/ImageInput.cpp), in NumPy, for the scripts
that must feed a peer (PyTorch, ONNX Runtime) exactly what `cnnc run --image`
and `--calibrate PHOTOS_DIR` feed cnnc."""
import os

import numpy as np
from PIL import Image


def preprocess(path, resolution, mean, std):
    """Bilinear sampling at pixel centers of the shorter side resized to
    R / 0.875, the centered R × R crop, then (x / 255 - mean) / std.
    Returns 1×3×R×R float32."""
    image = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
    height, width = image.shape[:2]
    resized = np.float32(round(resolution / 0.875))
    scale = np.float32(min(width, height)) / resized
    rw, rh = np.float32(round(width / scale)), np.float32(round(height / scale))
    left, top = np.float32(round((rw - resolution) / 2)), np.float32(round((rh - resolution) / 2))
    grid = np.arange(resolution, dtype=np.float32)
    sx = (grid + left + np.float32(0.5)) * np.float32(width) / rw
    sy = (grid + top + np.float32(0.5)) * np.float32(height) / rh
    x = np.clip(sx - np.float32(0.5), 0, width - 1)
    y = np.clip(sy - np.float32(0.5), 0, height - 1)
    x0, y0 = x.astype(np.int64), y.astype(np.int64)
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    fx, fy = (x - x0)[None, :, None], (y - y0)[:, None, None]
    rows0, rows1 = image[y0], image[y1]
    value = (rows0[:, x0] * (1 - fx) + rows0[:, x1] * fx) * (1 - fy) + \
            (rows1[:, x0] * (1 - fx) + rows1[:, x1] * fx) * fy
    mean, std = np.asarray(mean, np.float32), np.asarray(std, np.float32)
    value = (value / np.float32(255) - mean) / std
    return np.ascontiguousarray(value.transpose(2, 0, 1)[None].astype(np.float32))


def photo_batch(folder, resolution, mean, std):
    """Every .jpg/.png of `folder`, sorted by name, preprocessed: N×3×R×R."""
    names = sorted(p for p in os.listdir(folder) if p.lower().endswith((".jpg", ".jpeg", ".png")))
    return np.concatenate([preprocess(os.path.join(folder, p), resolution, mean, std)
                           for p in names])
