import Ridgeline

/// Expands a CNN into the kernels of one training step per micro-batch: each convolution's
/// forward, backward-data (not for the first layer, whose input needs no gradient) and
/// backward-weights (the three passes of cuDNN), batch norm (or the bias of a convolution
/// without it) and ReLU, fused into one pass in compiled mode, residual adds, pooling, the
/// classifier and its softmax loss, layer by layer (`Builder`, CNNExpansion.swift). The whole
/// network is one "layer" for stage 2, which only data parallelism divides.
///
/// Eager mode issues what eager PyTorch runs for a channels-last torchvision network under
/// bf16 autocast (`Builder.eagerBatchNorm`, `Builder.eagerResidual`): each op its own kernel,
/// as PyTorch's sources write them.
public struct CNNKernels: Sendable {
    public let model: CNNModel
    public let settings: KernelSettings

    public init(model: CNNModel, settings: KernelSettings) { self.model = model; self.settings = settings }

    func expand() -> Expansion {
        var builder = Builder(settings: settings, channels: model.channels, image: model.image)
        builder.castImages()
        for layer in model.layers { builder.add(layer) }
        builder.loss()
        return builder.x
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
