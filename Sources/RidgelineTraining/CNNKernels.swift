import Ridgeline

/// Expands a CNN into the kernels of one training step per micro-batch: each convolution's
/// forward, backward-data (not for the first layer, whose input needs no gradient) and
/// backward-weights (the three passes of cuDNN), batch norm and ReLU (fused into one pass in
/// compiled mode), residual adds, pooling, the classifier and its softmax loss. The whole
/// network is one "layer" for stage 2, which only data parallelism divides.
///
/// Eager mode issues what eager PyTorch runs for a channels-last torchvision network under
/// bf16 autocast (`eagerBatchNorm`, `eagerResidual`): each op its own kernel, as PyTorch's
/// sources write them.
public struct CNNKernels: Sendable {
    public let model: CNNModel
    public let settings: KernelSettings

    public init(model: CNNModel, settings: KernelSettings) { self.model = model; self.settings = settings }

    struct Expansion {
        var forward = PassKernels()
        var backward = PassKernels()
        /// Activation bytes kept for backward: each conv's input, the BN input and ReLU output.
        var activationBytes = 0.0
    }

    func expand() -> Expansion {
        var x = Expansion()
        let n = settings.microBatch
        let act = settings.precision.activationDType
        let mm = settings.precision.gemmDType
        let eager = settings.mode == .eager
        var c = model.channels, size = model.image
        var first = true

        func conv(_ cin: Int, _ cout: Int, _ k: Int, _ stride: Int, _ h: Int, relu: Bool) -> Int {
            let spec = Conv2D(n: n, c: cin, h: h, w: h, k: cout, r: k, s: k, stride: stride, pad: k / 2, dtype: mm)
            let out = spec.outH
            let elements = n * cout * out * out
            x.forward.add(.conv2d(spec), .gemm)
            var bwdData = spec; bwdData.pass = .bwdData
            var bwdWeights = spec; bwdWeights.pass = .bwdWeights
            if !first { x.backward.add(.conv2d(bwdData), .gemm) }
            x.backward.add(.conv2d(bwdWeights), .gemm)
            first = false
            if eager {
                eagerBatchNorm(&x, elements: elements, channels: cout)
                if relu {
                    x.forward.add(.elementwise(Elementwise(name: "relu", elements: elements, dtype: act)), .memoryBound)
                    x.backward.add(.elementwise(Elementwise(name: "relu", elements: elements, inputs: 2, dtype: act)), .memoryBound)
                }
            } else if !relu {
                x.forward.add(
                    .elementwise(Elementwise(name: "batchnorm", elements: elements, inputs: 2, flopsPerElement: 5, dtype: act)),
                    .memoryBound)
                x.backward.add(
                    .elementwise(Elementwise(name: "batchnorm", elements: elements, inputs: 3, flopsPerElement: 8, dtype: act)),
                    .memoryBound)
            } else {
                x.forward.add(
                    .elementwise(Elementwise(name: "batchnorm_relu", elements: elements, inputs: 2, flopsPerElement: 6, dtype: act)),
                    .memoryBound)
                x.backward.add(
                    .elementwise(Elementwise(name: "batchnorm_relu", elements: elements, inputs: 4, flopsPerElement: 9, dtype: act)),
                    .memoryBound)
            }
            x.activationBytes += (Double(n * cin * h * h) + 2 * Double(elements)) * act.bytes
            return out
        }

        if settings.autocastFP32Parameters && act.bytes == 2 {
            // Autocast casts the fp32 images to 16 bits for the first convolution (read 4 bytes,
            // write 2), as it casts a linear layer's fp32 input (`StepKernels.normForward`).
            let pixels = n * model.channels * model.image * model.image
            x.forward.add(.elementwise(Elementwise(name: "cast", elements: pixels, inputs: 2, outputs: 1, dtype: act)), .memoryBound)
        }
        for layer in model.layers {
            switch layer {
            case .conv(let out, let kernel, let stride, _):
                size = conv(c, out, kernel, stride, size, relu: true)
                c = out
            case .maxPool(let kernel, let stride):
                let out = (size + 2 * (kernel / 2) - kernel) / stride + 1
                // Eager `max_pool2d_with_indices` also writes each output's int64 argmax for
                // backward: 8 more bytes per output.
                x.forward.add(
                    .reduction(Reduction(elements: n * c * size * size, outputs: n * c * out * out, indexBytes: eager ? 8 : 0, dtype: act)),
                    .memoryBound)
                x.backward.add(
                    .elementwise(Elementwise(name: "maxpool_bwd", elements: n * c * size * size, inputs: 1, dtype: act)), .memoryBound)
                x.activationBytes += Double(n * c * size * size) * act.bytes
                size = out
            case .globalAvgPool:
                x.forward.add(.reduction(Reduction(elements: n * c * size * size, outputs: n * c, dtype: act)), .memoryBound)
                x.backward.add(
                    .elementwise(Elementwise(name: "avgpool_bwd", elements: n * c * size * size, inputs: 1, dtype: act)), .memoryBound)
                size = 1
            case .bottleneck(let mid, let out, let stride):
                let inSize = size, inC = c
                var s1 = conv(c, mid, 1, 1, size, relu: true)
                s1 = conv(mid, mid, 3, stride, s1, relu: true)
                s1 = conv(mid, out, 1, 1, s1, relu: false)
                if stride != 1 || inC != out { _ = conv(inC, out, 1, stride, inSize, relu: false) }
                let elements = n * out * s1 * s1
                if eager {
                    eagerResidual(&x, elements: elements, blockInput: n * inC * inSize * inSize)
                } else {
                    x.forward.add(
                        .elementwise(Elementwise(name: "add_relu", elements: elements, inputs: 2, flopsPerElement: 2, dtype: act)),
                        .memoryBound)
                    x.backward.add(.elementwise(Elementwise(name: "relu", elements: elements, inputs: 2, dtype: act)), .memoryBound)
                }
                x.activationBytes += Double(elements) * act.bytes
                c = out; size = s1
            case .fc(let out):
                x.forward.add(.gemm(GEMM(m: n, n: out, k: c, dtype: mm)), .gemm)
                x.backward.add(.gemm(GEMM(m: n, n: c, k: out, dtype: mm)), .gemm)
                x.backward.add(.gemm(GEMM(m: c, n: out, k: n, transA: true, dtype: mm)), .gemm)
                x.activationBytes += Double(n * c) * act.bytes
                c = out
            }
        }
        x.forward.add(.rowwise(RowWise(.softmax, rows: n, cols: c, dtype: .fp32)), .memoryBound)
        x.backward.add(.rowwise(RowWise(.softmax, rows: n, cols: c, pass: .bwd, dtype: .fp32)), .memoryBound)
        return x
    }

    /// Eager training-mode batch norm over 16-bit channels-last activations with fp32 statistics:
    /// PyTorch's native CUDA kernels, since `_select_batch_norm_backend` never picks cuDNN for a
    /// bf16 input (aten/src/ATen/native/Normalization.cpp). Forward (Normalization.cu,
    /// `batch_norm_cuda_out`): a per-channel Welford reduction over the input
    /// (`batch_norm_stats_channels_last`), a per-channel update of the running statistics, then
    /// the transform (read x, write y): 3 passes.
    /// Backward (`batch_norm_backward_cuda`): its fused reduce-and-transform kernel is skipped for
    /// channels-last inputs (`batch_norm_use_channels_last_kernels`), so a reduction reads dy and
    /// x for the per-channel sums and weight/bias gradients (`batch_norm_backward_reduce`), and a
    /// second kernel reads both again and writes dx (`batch_norm_backward_elemt`): 5 passes.
    func eagerBatchNorm(_ x: inout Expansion, elements: Int, channels: Int) {
        let act = settings.precision.activationDType
        x.forward.add(.reduction(Reduction(elements: elements, outputs: 2 * channels, dtype: act)), .memoryBound)
        // `batch_norm_update_stats_and_invert`: running mean and variance and 1/σ, per channel.
        x.forward.add(
            .elementwise(Elementwise(name: "batchnorm_stats", elements: channels, inputs: 4, outputs: 3, dtype: .fp32)), .memoryBound)
        x.forward.add(
            .elementwise(Elementwise(name: "batchnorm", elements: elements, inputs: 1, flopsPerElement: 4, dtype: act)), .memoryBound)
        x.backward.add(.reduction(Reduction(elements: 2 * elements, outputs: 4 * channels, dtype: act)), .memoryBound)
        x.backward.add(
            .elementwise(Elementwise(name: "batchnorm", elements: elements, inputs: 2, flopsPerElement: 6, dtype: act)), .memoryBound)
    }

    /// A bottleneck's residual in eager mode. torchvision's `Bottleneck.forward` runs
    /// `out += identity` and then `self.relu(out)` (in place): an add (read 2, write 1) and a
    /// ReLU (read 1, write 1), not one fused kernel. In backward, ReLU's gradient (read dy and
    /// the output, write dx), and the block's input, used by both the first convolution and the
    /// identity (or downsample) branch, receives two gradients that autograd sums with one add
    /// (torch/csrc/autograd/input_buffer.cpp, `InputBuffer::add`).
    func eagerResidual(_ x: inout Expansion, elements: Int, blockInput: Int) {
        let act = settings.precision.activationDType
        x.forward.add(.elementwise(Elementwise(name: "add", elements: elements, inputs: 2, dtype: act)), .memoryBound)
        x.forward.add(.elementwise(Elementwise(name: "relu", elements: elements, dtype: act)), .memoryBound)
        x.backward.add(.elementwise(Elementwise(name: "relu", elements: elements, inputs: 2, dtype: act)), .memoryBound)
        x.backward.add(.elementwise(Elementwise(name: "add", elements: blockInput, inputs: 2, dtype: act)), .memoryBound)
    }

    func costs(profile: HardwareProfile, assumptions: TrainingAssumptions) -> LayerCosts {
        let x = expand()
        let network = Network(profile: profile, assumptions: assumptions)
        let pricer = PassPricer(
            engine: Roofline(profile), mode: settings.mode.execution, network: network,
            tpGroup: CommGroup(ranks: 1, ranksPerNode: 1))
        let fwd = pricer.cost(x.forward), bwd = pricer.cost(x.backward)
        let modelFlops = LayerCosts.modelFlops(x.forward + x.backward)
        let params = model.parameterCount
        return LayerCosts(
            settings: settings, layers: 1, layerForward: fwd, layerBackward: bwd, layerRecompute: PhaseCost(),
            inputForward: PhaseCost(), inputBackward: PhaseCost(), outputForward: PhaseCost(), outputBackward: PhaseCost(),
            modelFlopsPerMicroBatch: modelFlops, hardwareFlopsPerMicroBatch: fwd.flops + bwd.flops,
            optimizerSecondsPerParameter: LayerCosts.optimizerSecondsPerParameter(profile: profile, settings: settings),
            layerParameters: params, largestWeightParameters: params, inputParameters: 0, outputParametersLocal: 0,
            outputParametersPipelined: 0,
            activationBytesPerLayer: x.activationBytes, fullLayerActivationBytes: x.activationBytes,
            inputActivationBytes: 0, outputActivationBytes: 0, pipelineMessageBytes: 0,
            tokensPerMicroBatch: Double(settings.microBatch),
            peakFlopsPerSecond: profile.mfuPeak(settings.precision.gemmDType).flopsPerSecond,
            peakDType: profile.mfuPeak(settings.precision.gemmDType).dtype,
            network: network, weightBytes: settings.precision.weightBytes, powerWatts: profile.powerWatts,
            deviceMemoryBytes: profile.deviceMemory.capacityBytes)
    }
}
