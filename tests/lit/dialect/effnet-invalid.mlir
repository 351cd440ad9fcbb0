// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'effnet.model' op body must be a stem, one or more stages, and a head}}
effnet.model @no_stages attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

// expected-error @+1 {{'effnet.model' op takes either phi/alpha/beta/gamma or width/depth/resolution multipliers, not both}}
effnet.model @both_scalings attributes {alpha = 1.2 : f64, batch_norm_eps = 1.0e-5 : f64, beta = 1.1 : f64, channel_divisor = 8 : i64, gamma = 1.15 : f64, in_channels = 3 : i64, num_classes = 10 : i64, phi = 1.0 : f64, resolution = 64 : i64, width_mult = 1.1 : f64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

// expected-error @+1 {{'effnet.model' op phi needs alpha, beta and gamma}}
effnet.model @phi_alone attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, phi = 1.0 : f64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

// expected-error @+1 {{'effnet.model' op resolution must be positive, got 0}}
effnet.model @zero_resolution attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 0 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @stem_stride attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  // expected-error @+1 {{'effnet.stem' op stride must be 1 or 2, got 3}}
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 3 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @block_kernel attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    // expected-error @+1 {{'effnet.mbconv' op kernel must be 3, 5 or 7, got 4}}
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 4 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @block_channels attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    // expected-error @+1 {{'effnet.fused_mbconv' op out_channels must be positive, got 0}}
    effnet.fused_mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 0 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @both_expansions attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    // expected-error @+1 {{'effnet.mbconv' op needs exactly one of expand_ratio and expand_channels}}
    effnet.mbconv {activation = #cnn<activation silu>, expand_channels = 48 : i64, expand_ratio = 6.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @shrinking_expansion attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    // expected-error @+1 {{'effnet.mbconv' op expand_ratio must be at least 1, got 5.000000e-01}}
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 0.5 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @empty_stage attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  // expected-error @+1 {{'effnet.stage' op must hold exactly one block (effnet.mbconv or effnet.fused_mbconv)}}
  effnet.stage attributes {repeats = 1 : i64} {
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @zero_repeats attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  // expected-error @+1 {{'effnet.stage' op repeats must be positive, got 0}}
  effnet.stage attributes {repeats = 0 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @head_hidden attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  // expected-error @+1 {{'effnet.head' op hidden_activation needs hidden_channels}}
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64, hidden_activation = #cnn<activation relu>}
}

// -----

effnet.model @se_ratio attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    // expected-error @+1 {{attention ratio must be in (0, 1], got 1.5}}
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, se = #effnet.se<ratio = 1.5, base = input, divisor = 1, activation = silu, gate = sigmoid>, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

effnet.model @cbam_kernel attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    // expected-error @+1 {{CBAM kernel must be 3 or 7, got 5}}
    effnet.mbconv {activation = #cnn<activation silu>, cbam = #effnet.cbam<ratio = 0.25, base = input, divisor = 1, kernel = 5>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

// expected-error @+1 {{'effnet.stage' op expects parent op 'effnet.model'}}
effnet.stage attributes {repeats = 1 : i64} {
  effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
}

// -----

// expected-error @+1 {{'effnet.model' op input_mean and input_std come together}}
effnet.model @mean_alone attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64, input_mean = array<f64: 0.5, 0.5, 0.5>} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

// expected-error @+1 {{'effnet.model' op input_mean and input_std need one value per input channel (3), got 1 and 3}}
effnet.model @short_mean attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64, input_mean = array<f64: 0.5>, input_std = array<f64: 1.0, 1.0, 1.0>} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

// expected-error @+1 {{'effnet.model' op input_std values must be positive, got 0}}
effnet.model @zero_std attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64, input_mean = array<f64: 0.5, 0.5, 0.5>, input_std = array<f64: 1.0, 0.0, 1.0>} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}

// -----

// expected-error @+1 {{'effnet.model' op channel_round_limit must be in [0, 1], got 2}}
effnet.model @round_limit attributes {batch_norm_eps = 1.0e-5 : f64, channel_divisor = 8 : i64, in_channels = 3 : i64, num_classes = 10 : i64, resolution = 64 : i64, channel_round_limit = 2.0 : f64} {
  effnet.stem {activation = #cnn<activation silu>, channels = 8 : i64, kernel = 3 : i64, stride = 2 : i64}
  effnet.stage attributes {repeats = 1 : i64} {
    effnet.mbconv {activation = #cnn<activation silu>, expand_ratio = 1.0 : f64, kernel = 3 : i64, out_channels = 8 : i64, stride = 1 : i64}
  }
  effnet.head {activation = #cnn<activation silu>, channels = 64 : i64, dropout = 0.2 : f64}
}
