import Ridgeline

extension CNNKernels {
    /// One micro-batch's kernels in both passes, and the activations kept for backward.
    struct Expansion {
        var forward = PassKernels()
        var backward = PassKernels()
        /// Activation bytes kept for backward: each conv's input, the BN input and ReLU output.
        var activationBytes = 0.0
    }

    /// Walks a CNN's layers in order, tracking the feature map's channels and size, and adds
    /// each layer's kernels to both passes (`CNNKernels.expand`).
    struct Builder {
        let settings: KernelSettings
        var x = Expansion()
        var channels: Int
        var size: Int
        /// The first convolution reads the images, which need no gradient: it has no data
        /// gradient pass.
        var inputNeedsGradient = false

        init(settings: KernelSettings, channels: Int, image: Int) {
            self.settings = settings; self.channels = channels; self.size = image
        }

        var n: Int { settings.microBatch }
        var act: DType { settings.precision.activationDType }
        var eager: Bool { settings.mode == .eager }

        mutating func add(_ layer: CNNModel.Layer) {
            switch layer {
            case .conv(let out, let kernel, let stride, let pad, let batchNorm):
                size = conv(channels, out, kernel, stride, size, pad: pad, batchNorm: batchNorm, relu: true)
                channels = out
            case .maxPool: maxPool(to: layer.output(channels: channels, size: size).size)
            case .globalAvgPool: globalAvgPool()
            case .bottleneck(let mid, let out, let stride): bottleneck(mid: mid, out: out, stride: stride)
            case .basic(let out, let stride): basic(out: out, stride: stride)
            case .fc(let out): fc(out: out)
            }
        }

        /// Autocast casts the fp32 images to 16 bits for the first convolution (read 4 bytes,
        /// write 2), as it casts a linear layer's fp32 input (`StepKernels.normForward`).
        mutating func castImages() {
            guard settings.autocastFP32Parameters && act.bytes == 2 else { return }
            let pixels = n * channels * size * size
            x.forward.add(.elementwise(Elementwise(name: "cast", elements: pixels, inputs: 2, outputs: 1, dtype: act)), .memoryBound)
        }

        /// A convolution in its three passes (cuDNN's forward, data gradient and weight
        /// gradient), then its batch norm (or bias) and ReLU. Returns the output's size. `pad`
        /// defaults to k/2, the bottleneck's.
        mutating func conv(
            _ cin: Int, _ cout: Int, _ k: Int, _ stride: Int, _ h: Int, pad: Int? = nil, batchNorm: Bool = true, relu: Bool
        ) -> Int {
            let spec = Conv2D(
                n: n, c: cin, h: h, w: h, k: cout, r: k, s: k, stride: stride, pad: pad ?? k / 2, dtype: settings.precision.gemmDType)
            let elements = n * cout * spec.outH * spec.outW
            x.forward.add(.conv2d(spec), .gemm)
            var bwdData = spec
            bwdData.pass = .bwdData
            var bwdWeights = spec
            bwdWeights.pass = .bwdWeights
            if inputNeedsGradient { x.backward.add(.conv2d(bwdData), .gemm) }
            x.backward.add(.conv2d(bwdWeights), .gemm)
            inputNeedsGradient = true
            if batchNorm {
                normalize(elements: elements, channels: cout, relu: relu)
            } else {
                bias(elements: elements, channels: cout, relu: relu)
            }
            // Kept for backward: the input, the BN input (with batch norm) and the output.
            let kept = Double(n * cin * h * h) + Double(batchNorm ? 2 : 1) * Double(elements)
            x.activationBytes += kept * act.bytes
            return spec.outH
        }

        /// Batch norm and the optional ReLU: PyTorch's own kernels in eager mode
        /// (`eagerBatchNorm`), one fused pass each way when compiled.
        mutating func normalize(elements: Int, channels: Int, relu: Bool) {
            if eager {
                eagerBatchNorm(elements: elements, channels: channels)
                if relu { eagerReLU(elements: elements) }
            } else {
                // Compiled: one fused pass each way; with ReLU one more op forward, and backward
                // also reads the output for ReLU's mask.
                let name = relu ? "batchnorm_relu" : "batchnorm"
                x.forward.add(
                    .elementwise(Elementwise(name: name, elements: elements, inputs: 2, flopsPerElement: relu ? 6 : 5, dtype: act)),
                    .memoryBound)
                x.backward.add(
                    .elementwise(
                        Elementwise(name: name, elements: elements, inputs: relu ? 4 : 3, flopsPerElement: relu ? 9 : 8, dtype: act)),
                    .memoryBound)
            }
        }

        /// A convolution without batch norm carries a bias (`CNNModel.parameterCount`). Eager
        /// PyTorch adds it after cuDNN's convolution in place (`_convolution`, ConvBackend::Cudnn:
        /// `output.add_(reshape_bias(...))`, aten/src/ATen/native/Convolution.cpp) and ReLU
        /// follows as its own kernel; compiled, the bias and ReLU are one pointwise pass. Its
        /// gradient is dy summed over the batch and pixels, per channel: a reduction.
        mutating func bias(elements: Int, channels: Int, relu: Bool) {
            if eager || !relu {
                x.forward.add(.elementwise(Elementwise(name: "bias", elements: elements, dtype: act)), .memoryBound)
                if relu { eagerReLU(elements: elements) }
            } else {
                x.forward.add(
                    .elementwise(Elementwise(name: "bias_relu", elements: elements, flopsPerElement: 2, dtype: act)), .memoryBound)
                x.backward.add(.elementwise(Elementwise(name: "relu", elements: elements, inputs: 2, dtype: act)), .memoryBound)
            }
            x.backward.add(.reduction(Reduction(elements: elements, outputs: channels, dtype: act)), .memoryBound)
        }

        /// ReLU as its own kernel each way: forward in place (read 1, write 1), backward from
        /// dy and the output (read 2, write 1).
        mutating func eagerReLU(elements: Int) {
            x.forward.add(.elementwise(Elementwise(name: "relu", elements: elements, dtype: act)), .memoryBound)
            x.backward.add(.elementwise(Elementwise(name: "relu", elements: elements, inputs: 2, dtype: act)), .memoryBound)
        }

        /// Max pooling down to `out` pixels a side (`CNNModel.Layer.output`).
        mutating func maxPool(to out: Int) {
            let elements = n * channels * size * size
            // Eager `max_pool2d_with_indices` also writes each output's int64 argmax for
            // backward: 8 more bytes per output.
            x.forward.add(
                .reduction(Reduction(elements: elements, outputs: n * channels * out * out, indexBytes: eager ? 8 : 0, dtype: act)),
                .memoryBound)
            x.backward.add(.elementwise(Elementwise(name: "maxpool_bwd", elements: elements, inputs: 1, dtype: act)), .memoryBound)
            x.activationBytes += Double(elements) * act.bytes
            size = out
        }

        mutating func globalAvgPool() {
            let elements = n * channels * size * size
            x.forward.add(.reduction(Reduction(elements: elements, outputs: n * channels, dtype: act)), .memoryBound)
            x.backward.add(.elementwise(Elementwise(name: "avgpool_bwd", elements: elements, inputs: 1, dtype: act)), .memoryBound)
            size = 1
        }

        /// A bottleneck block: 1×1, 3×3 (strided) and 1×1 convolutions, a projection shortcut
        /// when the shape changes, then the residual add and ReLU.
        mutating func bottleneck(mid: Int, out: Int, stride: Int) {
            let inSize = size, inChannels = channels
            var s = conv(channels, mid, 1, 1, size, relu: true)
            s = conv(mid, mid, 3, stride, s, relu: true)
            s = conv(mid, out, 1, 1, s, relu: false)
            if stride != 1 || inChannels != out { _ = conv(inChannels, out, 1, stride, inSize, relu: false) }
            residual(out: out, size: s, blockInput: n * inChannels * inSize * inSize)
        }

        /// A basic block: two 3×3 convolutions (the first strided), a projection shortcut when the
        /// shape changes, then the residual add and ReLU.
        mutating func basic(out: Int, stride: Int) {
            let inSize = size, inChannels = channels
            var s = conv(channels, out, 3, stride, size, relu: true)
            s = conv(out, out, 3, 1, s, relu: false)
            if stride != 1 || inChannels != out { _ = conv(inChannels, out, 1, stride, inSize, relu: false) }
            residual(out: out, size: s, blockInput: n * inChannels * inSize * inSize)
        }

        /// A residual block's end: the add and ReLU (PyTorch's two kernels in eager mode,
        /// `eagerResidual`; one fused pass compiled), and the block's output as the feature map.
        mutating func residual(out: Int, size s: Int, blockInput: Int) {
            let elements = n * out * s * s
            if eager {
                eagerResidual(elements: elements, blockInput: blockInput)
            } else {
                x.forward.add(
                    .elementwise(Elementwise(name: "add_relu", elements: elements, inputs: 2, flopsPerElement: 2, dtype: act)),
                    .memoryBound)
                x.backward.add(.elementwise(Elementwise(name: "relu", elements: elements, inputs: 2, dtype: act)), .memoryBound)
            }
            x.activationBytes += Double(elements) * act.bytes
            channels = out
            size = s
        }

        /// A fully connected layer over the flattened feature map (`CNNModel.Layer.fc`):
        /// Y = X·W forward, dX and dW backward.
        mutating func fc(out: Int) {
            let mm = settings.precision.gemmDType
            let features = channels * size * size
            x.forward.add(.gemm(GEMM(m: n, n: out, k: features, dtype: mm)), .gemm)
            x.backward.add(.gemm(GEMM(m: n, n: features, k: out, dtype: mm)), .gemm)
            x.backward.add(.gemm(GEMM(m: features, n: out, k: n, transA: true, dtype: mm)), .gemm)
            x.activationBytes += Double(n * features) * act.bytes
            channels = out
            size = 1
        }

        /// The softmax cross-entropy over the classes, in fp32.
        mutating func loss() {
            x.forward.add(.rowwise(RowWise(.softmax, rows: n, cols: channels, dtype: .fp32)), .memoryBound)
            x.backward.add(.rowwise(RowWise(.softmax, rows: n, cols: channels, pass: .bwd, dtype: .fp32)), .memoryBound)
        }

        /// Eager training-mode batch norm over 16-bit channels-last activations with fp32
        /// statistics: PyTorch's native CUDA kernels, since `_select_batch_norm_backend` never
        /// picks cuDNN for a bf16 input (aten/src/ATen/native/Normalization.cpp). Forward
        /// (Normalization.cu, `batch_norm_cuda_out`): a per-channel Welford reduction over the
        /// input (`batch_norm_stats_channels_last`), a per-channel update of the running
        /// statistics, then the transform (read x, write y): 3 passes.
        /// Backward (`batch_norm_backward_cuda`): its fused reduce-and-transform kernel is skipped
        /// for channels-last inputs (`batch_norm_use_channels_last_kernels`), so a reduction reads
        /// dy and x for the per-channel sums and weight/bias gradients
        /// (`batch_norm_backward_reduce`), and a second kernel reads both again and writes dx
        /// (`batch_norm_backward_elemt`): 5 passes.
        mutating func eagerBatchNorm(elements: Int, channels: Int) {
            x.forward.add(.reduction(Reduction(elements: elements, outputs: 2 * channels, dtype: act)), .memoryBound)
            // `batch_norm_update_stats_and_invert`: running mean and variance and 1/σ, per channel.
            x.forward.add(
                .elementwise(Elementwise(name: "batchnorm_stats", elements: channels, inputs: 4, outputs: 3, dtype: .fp32)),
                .memoryBound)
            x.forward.add(
                .elementwise(Elementwise(name: "batchnorm", elements: elements, inputs: 1, flopsPerElement: 4, dtype: act)),
                .memoryBound)
            x.backward.add(.reduction(Reduction(elements: 2 * elements, outputs: 4 * channels, dtype: act)), .memoryBound)
            x.backward.add(
                .elementwise(Elementwise(name: "batchnorm", elements: elements, inputs: 2, flopsPerElement: 6, dtype: act)),
                .memoryBound)
        }

        /// A residual block's end in eager mode. torchvision's `Bottleneck.forward` and
        /// `BasicBlock.forward` run `out += identity` and then `self.relu(out)` (in place): an add
        /// (read 2, write 1) and a ReLU (read 1, write 1), not one fused kernel. In backward,
        /// ReLU's gradient (read dy and the output, write dx), and the block's input, used by both
        /// the first convolution and the identity (or downsample) branch, receives two gradients
        /// that autograd sums with one add (torch/csrc/autograd/input_buffer.cpp, `InputBuffer::add`).
        mutating func eagerResidual(elements: Int, blockInput: Int) {
            x.forward.add(.elementwise(Elementwise(name: "add", elements: elements, inputs: 2, dtype: act)), .memoryBound)
            eagerReLU(elements: elements)
            x.backward.add(.elementwise(Elementwise(name: "add", elements: blockInput, inputs: 2, dtype: act)), .memoryBound)
        }
    }
}
