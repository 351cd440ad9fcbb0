// A stem of a million channels: over the default channel limit.
effnet.model @wide attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 224 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 1000000 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 16 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 1280 : i64, dropout = 0.2 : f64}
}
