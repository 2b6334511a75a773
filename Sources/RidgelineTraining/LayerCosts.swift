import Ridgeline

/// Seconds (and FLOPs) of one pass of one micro-batch on one device, by where the time goes.
public struct PhaseCost: Sendable, Hashable {
    public var gemm = 0.0
    public var attention = 0.0
    public var memoryBound = 0.0
    /// Eager mode: what the framework's per-op floor adds on top of device time.
    public var dispatch = 0.0
    /// Tensor-parallel collectives on the critical path (Megatron does not overlap them).
    public var communication = 0.0
    /// Arithmetic the device performs (recomputation included when this is a recompute pass).
    public var flops = 0.0
    /// Kernels launched.
    public var kernels = 0.0
    /// Bytes this rank sends in the pass's tensor-parallel collectives (ring volumes).
    public var communicationBytes = 0.0

    public init() {}

    public var seconds: Double { gemm + attention + memoryBound + dispatch + communication }

    public static func + (a: PhaseCost, b: PhaseCost) -> PhaseCost {
        var r = a
        r.gemm += b.gemm; r.attention += b.attention; r.memoryBound += b.memoryBound; r.dispatch += b.dispatch
        r.communication += b.communication; r.flops += b.flops; r.kernels += b.kernels
        r.communicationBytes += b.communicationBytes
        return r
    }

    public static func * (a: PhaseCost, k: Double) -> PhaseCost {
        var r = a
        r.gemm *= k; r.attention *= k; r.memoryBound *= k; r.dispatch *= k; r.communication *= k; r.flops *= k; r.kernels *= k
        r.communicationBytes *= k
        return r
    }
}

/// Stage 1 of a training estimate: what one repeated layer, the input side (embedding) and the
/// output side (head and loss) cost per micro-batch on one device, for one `KernelSettings` on
/// one device type. It depends on nothing in the `Layout` (pipeline, data parallelism, ZeRO,
/// global batch), so a planner computes it once per settings key and reuses it across layouts;
/// `StepModel` (stage 2) combines it with a layout in a few dozen floating-point operations.
public struct LayerCosts: Sendable, Hashable {
    public var settings: KernelSettings
    /// Identical layers (transformer blocks; a CNN is one "layer": the whole network).
    public var layers: Int
    public var layerForward: PhaseCost
    public var layerBackward: PhaseCost
    /// Work the recompute policy adds to each layer's backward.
    public var layerRecompute: PhaseCost
    public var inputForward: PhaseCost
    public var inputBackward: PhaseCost
    public var outputForward: PhaseCost
    public var outputBackward: PhaseCost
    /// Model FLOPs of one micro-batch summed over the tensor- and context-parallel ranks (PaLM's convention:
    /// 6·N per token plus attention counted over the full s², no recomputation): the MFU numerator.
    public var modelFlopsPerMicroBatch: Double
    /// Model FLOPs plus the recomputed forward work, summed over tensor-parallel ranks: the HFU
    /// numerator (the FLOPs a device executes, in the model-FLOPs convention).
    public var hardwareFlopsPerMicroBatch: Double
    /// Optimizer step seconds per parameter held (AdamW/SGD on fp32 states, master→working cast,
    /// gradient-norm reduction): memory-bound, so linear in the parameters a device updates.
    public var optimizerSecondsPerParameter: Double
    /// Parameters on one tensor-parallel rank.
    public var layerParameters: Double
    /// The largest single weight of a layer on one rank: what ZeRO-3 holds gathered at a time
    /// (DeepSpeed gathers module by module, one in use and one prefetched).
    public var largestWeightParameters: Double
    public var inputParameters: Double
    /// Output-side parameters when the head shares a device with the embedding / when it does not.
    public var outputParametersLocal: Double
    public var outputParametersPipelined: Double
    /// Activation bytes one layer keeps for backward per micro-batch, under the recompute policy.
    public var activationBytesPerLayer: Double
    /// Bytes of one layer's full activations (the working set while a recomputed layer runs backward).
    public var fullLayerActivationBytes: Double
    /// Input- and output-side activations per micro-batch (embedding output, fp32 logits).
    public var inputActivationBytes: Double
    public var outputActivationBytes: Double
    /// Bytes sent between pipeline stages per micro-batch and direction.
    public var pipelineMessageBytes: Double
    /// Tokens per micro-batch (whole sequences, over all context-parallel ranks); images for image
    /// models (CNNs, ViT), whose throughput is in images.
    public var tokensPerMicroBatch: Double
    /// MFU/HFU denominator: the device's highest dense peak for the precision the GEMMs run in
    /// (`HardwareProfile.mfuPeak`), and the dtype whose peak that is.
    public var peakFlopsPerSecond: Double
    public var peakDType: DType = .bf16
    /// Per-device links, for the data-parallel and pipeline communication of stage 2.
    public var network: Network
    public var weightBytes: Double
    public var powerWatts: Double
    public var deviceMemoryBytes: Double
    /// Mixture-of-experts layers: their costs and which layers they are (nil: a dense model).
    public var moe: ExpertLayerCosts? = nil
    /// LoRA: the base weights are frozen (no gradients, no optimizer state); only adapters train.
    public var frozenBase = false
    /// LoRA adapter parameters of one dense layer on one rank (0 without LoRA).
    public var layerAdapterParameters = 0.0
    /// Bytes per parameter of extra weight copies (fp8's cached fp8 weights and their transposes).
    public var weightCopyBytes = 0.0
}

/// What one mixture-of-experts layer costs per micro-batch on one device, beside the dense
/// layer of `LayerCosts`; `pattern` says which layers are MoE.
public struct ExpertLayerCosts: Sendable, Hashable {
    public var pattern: MixtureOfExperts
    public var forward: PhaseCost
    public var backward: PhaseCost
    public var recompute: PhaseCost
    /// Weights outside the routed experts on one rank (attention, router, shared experts, norms):
    /// replicated over dp·cp like a dense layer's.
    public var sharedParameters: Double
    /// The routed experts on one rank (experts / ep, split over tp): replicated over the expert
    /// data-parallel ranks only.
    public var expertParameters: Double
    public var adapterParameters: Double
    public var activationBytes: Double
    public var fullActivationBytes: Double
}

extension LayerCosts {
    /// Builds the kernels of one layer and predicts each with the roofline engine.
    public static func compute(
        model: ModelDefinition, profile: HardwareProfile, settings: KernelSettings,
        assumptions: TrainingAssumptions = TrainingAssumptions()
    ) throws -> LayerCosts {
        guard settings.cp >= 1, settings.ep >= 1 else {
            throw LayoutError(field: "cp/ep", detail: "cp \(settings.cp) and ep \(settings.ep) must be at least 1")
        }
        guard settings.capacityFactor > 0, settings.capacityFactor.isFinite else {
            throw LayoutError(field: "capacity-factor", detail: "--capacity-factor \(settings.capacityFactor) must be a positive number")
        }
        if let lora = settings.finetune.lora, lora.rank < 1 {
            throw LayoutError(field: "lora-rank", detail: "--lora-rank \(lora.rank) must be at least 1")
        }
        if settings.precision == .fp8 && profile.compute.peak[.fp8] == nil {
            throw RidgelineError.unavailable(
                what: "--precision fp8",
                reason: "\(profile.name) (\(profile.id)) has no fp8 tensor peak; use bf16 or fp16")
        }
        guard settings.microBatch >= 1, settings.seq >= 1, settings.tp >= 1 else {
            throw LayoutError(
                field: "micro-batch/seq/tp",
                detail: "micro-batch \(settings.microBatch), seq \(settings.seq) and tp \(settings.tp) must be at least 1")
        }
        switch model {
        case .transformer(let t): return try transformer(t, profile: profile, settings: settings, assumptions: assumptions)
        case .cnn(let c):
            guard settings.cp == 1, settings.ep == 1, settings.finetune.lora == nil else {
                throw LayoutError(
                    field: "cp/ep/finetune",
                    detail: "\(c.name) is a CNN: context and expert parallelism and LoRA are modelled for transformers only")
            }
            guard settings.recompute == .none else {
                throw LayoutError(
                    field: "recompute", detail: "\(c.name) is a CNN: activation recomputation is modelled for transformers only")
            }
            return CNNKernels(model: c, settings: settings).costs(profile: profile, assumptions: assumptions)
        }
    }

    static func transformer(
        _ model: TransformerModel, profile: HardwareProfile, settings: KernelSettings,
        assumptions: TrainingAssumptions
    ) throws -> LayerCosts {
        if model.image == nil && settings.seq > model.maxSeq {
            throw LayoutError(field: "seq", detail: "--seq \(settings.seq) exceeds \(model.name)'s max_seq \(model.maxSeq)")
        }
        if model.heads % settings.tp != 0 {
            throw LayoutError(field: "tp", detail: "\(model.name) has \(model.heads) attention heads, not divisible by tp \(settings.tp)")
        }
        if settings.cp > 1 {
            let seq = model.tokens(seq: settings.seq)
            guard model.image == nil, settings.flashAttention else {
                throw LayoutError(
                    field: "cp", detail: "context parallelism is modelled for language models with flash attention (ring attention)")
            }
            // Megatron-core's causal load balancing cuts each sequence into 2·cp chunks.
            guard seq % (2 * settings.cp) == 0 else {
                throw LayoutError(
                    field: "cp",
                    detail: "--seq \(seq) is not divisible by 2·cp = \(2 * settings.cp) (each rank holds two chunks of the sequence)")
            }
        }
        if settings.ep > 1 {
            guard let moe = model.moe else {
                throw LayoutError(field: "ep", detail: "--ep \(settings.ep) needs a mixture-of-experts model; \(model.name) has no experts")
            }
            guard moe.experts % settings.ep == 0 else {
                throw LayoutError(field: "ep", detail: "\(model.name) has \(moe.experts) experts, not divisible by ep \(settings.ep)")
            }
        }
        if let moe = model.moe, moe.expertFFN % settings.etp != 0 {
            let name = settings.expertTP == nil ? "tp" : "etp"
            throw LayoutError(
                field: name, detail: "\(model.name)'s expert_ffn \(moe.expertFFN) is not divisible by \(name) \(settings.etp)")
        }
        if settings.etp < 1 { throw LayoutError(field: "etp", detail: "--etp \(settings.etp) must be at least 1") }
        let load = min(settings.capacityFactor, assumptions.expertLoadImbalance)
        var k = TransformerKernels(model: model, settings: settings, expertLoad: load)
        k.megatronSoftmaxRule = assumptions.megatronSoftmaxRule
        let network = Network(profile: profile, assumptions: assumptions)
        let domain = network.domainSize
        // Megatron-core's rank order tp-cp-ep-dp-pp: context-parallel ranks sit next to the
        // tensor-parallel ones, and the expert grid (etp = tp) puts expert-parallel ranks next to them.
        let groups = PassPricer.Groups(
            tensor: CommGroup(ranks: settings.tp, ranksPerNode: min(settings.tp, domain)),
            context: CommGroup(ranks: settings.cp, ranksPerNode: max(1, domain / settings.tp)),
            expert: CommGroup(ranks: settings.ep, ranksPerNode: max(1, domain / settings.etp)),
            expertTensor: CommGroup(ranks: settings.etp, ranksPerNode: min(settings.etp, domain)))
        var pricer = PassPricer(
            engine: Roofline(profile), mode: settings.mode.execution, network: network, groups: groups,
            hostSecondsPerOp: assumptions.hostSecondsPerOp,
            hostSecondsPerCollective: assumptions.hostSecondsPerCollective)
        pricer.flashRate = assumptions.flashKernel.relativeRate(on: profile)
        pricer.tensorOverlap = assumptions.tensorParallelCommOverlap
        pricer.overlapContention = assumptions.overlapContention
        let fwd = k.layerForward(), bwd = k.layerBackward()
        let inF = k.inputForward(), inB = k.inputBackward(), outF = k.outputForward(), outB = k.outputBackward()
        let layerFwd = pricer.cost(fwd), layerBwd = pricer.cost(bwd), layerRe = pricer.cost(k.layerRecompute())
        let inFwd = pricer.cost(inF), inBwd = pricer.cost(inB), outFwd = pricer.cost(outF), outBwd = pricer.cost(outB)
        let tp = Double(settings.tp), moeLayers = Double(model.moeLayerCount), denseLayers = Double(model.layers) - moeLayers
        // Model FLOPs of the whole micro-batch, from its unsplit kernels (no context split, a
        // balanced router): context parallelism and load imbalance never count as model work.
        var unsplit = settings
        unsplit.cp = 1
        let reference = TransformerKernels(model: model, settings: unsplit, expertLoad: 1)
        var modelFlops =
            tp
            * (denseLayers * (Self.modelFlops(reference.layerForward()) + Self.modelFlops(reference.layerBackward()))
                + Self.modelFlops(reference.inputForward() + reference.inputBackward())
                + Self.modelFlops(reference.outputForward() + reference.outputBackward()))
        // HFU counts in the same convention as MFU plus the recomputed forward work, so that
        // HFU ≥ MFU and they are equal without recomputation (Korthikanti et al. 2022 §6).
        var hardwareFlops = modelFlops + tp * denseLayers * Self.modelFlops(reference.layerRecompute())
        var expertCosts: ExpertLayerCosts?
        if let pattern = model.moe {
            let moeModel = Self.modelFlops(reference.layerForward(moe: true)) + Self.modelFlops(reference.layerBackward(moe: true))
            modelFlops += tp * moeLayers * moeModel
            hardwareFlops += tp * moeLayers * (moeModel + Self.modelFlops(reference.layerRecompute(moe: true)))
            let memory = ActivationMemory(model: model, settings: settings, moe: true, expertLoad: load)
            expertCosts = ExpertLayerCosts(
                pattern: pattern, forward: pricer.cost(k.layerForward(moe: true)), backward: pricer.cost(k.layerBackward(moe: true)),
                recompute: pricer.cost(k.layerRecompute(moe: true)), sharedParameters: k.moeSharedParametersPerRank,
                expertParameters: k.expertParametersPerRank, adapterParameters: k.adapterParametersPerRank(moe: true),
                activationBytes: memory.storedPerLayer, fullActivationBytes: memory.fullPerLayer)
        }
        let memory = ActivationMemory(model: model, settings: settings)
        let tokens = Double(k.tokens)
        let hidden = tokens * Double(model.dModel) * settings.precision.activationDType.bytes
        var costs = LayerCosts(
            settings: settings, layers: model.layers, layerForward: layerFwd, layerBackward: layerBwd, layerRecompute: layerRe,
            inputForward: inFwd, inputBackward: inBwd, outputForward: outFwd, outputBackward: outBwd,
            modelFlopsPerMicroBatch: modelFlops, hardwareFlopsPerMicroBatch: hardwareFlops,
            optimizerSecondsPerParameter: optimizerSecondsPerParameter(profile: profile, settings: settings),
            layerParameters: k.layerParametersPerRank, largestWeightParameters: k.largestWeightPerRank,
            inputParameters: k.inputParametersPerRank,
            outputParametersLocal: k.outputParametersPerRank(pipelined: false),
            outputParametersPipelined: k.outputParametersPerRank(pipelined: true),
            activationBytesPerLayer: memory.storedPerLayer, fullLayerActivationBytes: memory.fullPerLayer,
            inputActivationBytes: memory.inputSide, outputActivationBytes: memory.outputSide,
            pipelineMessageBytes: assumptions.pipelineScatterGather ? hidden / tp : hidden,
            tokensPerMicroBatch: model.image == nil ? tokens * Double(settings.cp) : Double(settings.microBatch),
            peakFlopsPerSecond: profile.mfuPeak(settings.precision.gemmDType).flopsPerSecond,
            peakDType: profile.mfuPeak(settings.precision.gemmDType).dtype,
            network: network, weightBytes: settings.precision.weightBytes, powerWatts: profile.powerWatts,
            deviceMemoryBytes: profile.deviceMemory.capacityBytes)
        costs.moe = expertCosts
        costs.frozenBase = settings.finetune.lora != nil
        costs.layerAdapterParameters = k.adapterParametersPerRank(moe: false)
        costs.weightCopyBytes = settings.precision.weightCopyBytes
        return costs
    }

    /// FLOPs of the GEMMs and attention cores of a pass, attention counted over the full score
    /// matrix even when causal and its backward as twice its forward, without the flash
    /// kernel's recomputation (the convention of PaLM's MFU and Megatron's FLOP formula).
    static func modelFlops(_ pass: PassKernels) -> Double {
        pass.kernels.reduce(0) { sum, k in
            switch k.kernel {
            case .gemm(let g): return sum + g.flops * k.count
            case .conv2d(let c): return sum + c.flops * k.count
            case .attention(let a):
                let forward =
                    a.flops / (a.pass == .bwd ? Attention.backwardFlopsFactor : 1) / (a.causal ? Attention.causalCountedDensity : 1)
                return sum + forward * (a.pass == .bwd ? 2 : 1) * k.count
            default: return sum
            }
        }
    }

    /// The optimizer's cost per parameter, from a large update so launch latency is negligible.
    static func optimizerSecondsPerParameter(profile: HardwareProfile, settings: KernelSettings) -> Double {
        let n = 100_000_000
        let engine = Roofline(profile)
        var seconds = engine.predict(.optimizer(OptimizerUpdate(settings.optimizer == .sgd ? .sgd : .adamw, params: n)), mode: .kernel)
            .timeSeconds
        // Gradient-norm clipping reads every gradient once.
        seconds += engine.predict(.reduction(Reduction(elements: n, dtype: settings.precision.activationDType)), mode: .kernel).timeSeconds
        if settings.precision.hasMasterWeights {
            // Master (fp32) to working copy: read 4 bytes, write 2, as a 3-element-of-2-bytes pass.
            seconds +=
                engine.predict(.elementwise(Elementwise(name: "cast", elements: n, inputs: 2, outputs: 1, dtype: .bf16)), mode: .kernel)
                .timeSeconds
        }
        if settings.autocastFP32Parameters && settings.precision.activationDType.bytes == 2 {
            // Autocast over fp32 parameters: the master-to-working cast above is autocast's cast
            // of each weight in forward; backward's 16-bit weight gradient is cast back to the
            // fp32 parameter's dtype as it is accumulated into .grad (read 2 bytes, write 4).
            seconds +=
                engine.predict(.elementwise(Elementwise(name: "cast", elements: n, inputs: 1, outputs: 2, dtype: .bf16)), mode: .kernel)
                .timeSeconds
        }
        if settings.precision == .fp8 {
            // Transformer Engine casts each weight to fp8 once per step (cached across the step's
            // micro-batches) with its transpose and amax: read 2 bytes, write 1 + 1; the per-tensor
            // amax history and scale update is a few elements per GEMM.
            seconds +=
                engine.predict(.elementwise(Elementwise(name: "fp8_cast_transpose", elements: n, dtype: .bf16)), mode: .kernel).timeSeconds
        }
        return seconds / Double(n)
    }
}

/// A framework's kernels as the host issues them and the device runs them: the host spends
/// `host` seconds per op (Python, dispatcher, autograd, launch) and enqueues it; the device runs
/// the queue in order, asynchronously, each op no earlier than it was issued. A pass therefore
/// costs about max(device time, ops × host), exactly the finish time of this FIFO queue:
/// E_j = max(E_{j−1}, j·h) + d_j (PyTorch's asynchronous CUDA execution, PyTorch docs "CUDA
/// semantics"; the host-bound regime of small models, e.g. Lu et al., "Characterizing host
/// overhead in deep learning training", and the lead's vTrain analysis in README "Validation").
/// A pass's collectives are ops of this queue too, in program order (`StepCollective.position`).
struct HostQueue {
    /// Host clock (seconds since the pass began) and the device's finish time.
    var issued = 0.0, finished = 0.0
    /// Device seconds queued so far.
    var device = 0.0

    /// `count` identical ops of `device` seconds each: the finish time of the last is the latest
    /// of the device running them back to back after the queue drains, after the first is issued,
    /// and after the last is issued (closed form of the recurrence above for equal d and h).
    mutating func issue(count: Double, device d: Double, host h: Double) {
        guard count > 0 else { return }
        if count <= 1 {
            finished = max(finished, issued + count * h) + count * d
        } else {
            finished = max(finished + count * d, issued + h + count * d, issued + count * h + d)
        }
        issued += count * h
        device += count * d
    }

    /// What the host adds on top of the device time.
    var hostBoundSeconds: Double { max(0, finished - device) }
}

/// Prices a pass's kernels with the roofline engine and its collectives with the network model.
struct PassPricer {
    struct Groups {
        var tensor: CommGroup
        var context = CommGroup(ranks: 1, ranksPerNode: 1)
        var expert = CommGroup(ranks: 1, ranksPerNode: 1)
        var expertTensor = CommGroup(ranks: 1, ranksPerNode: 1)
        func group(_ kind: CommGroupKind) -> CommGroup {
            switch kind {
            case .tensor: return tensor
            case .context: return context
            case .expert: return expert
            case .expertTensor: return expertTensor
            }
        }
    }
    let engine: Roofline
    let mode: ExecutionMode
    let network: Network
    let groups: Groups
    /// Host (CPU) seconds per kernel (`TrainingAssumptions.hostSecondsPerOp`); nil: device time,
    /// each op floored at the profile's dispatch latency in eager mode.
    let hostSecondsPerOp: Double?
    /// Host seconds per collective call (`TrainingAssumptions.hostSecondsPerCollective`); nil: a kernel's.
    let hostSecondsPerCollective: Double?
    /// The flash kernel's rate relative to the architecture's own kernels the profile is fitted
    /// on (`TrainingAssumptions.flashKernel`).
    var flashRate = 1.0
    /// `TrainingAssumptions.tensorParallelCommOverlap`: a sequence-parallel all-gather or
    /// reduce-scatter exposes one of its tp chunks, and the rest, running beside the GEMMs, slows
    /// them by `overlapContention` of its time (`TrainingAssumptions.overlapContention`).
    var tensorOverlap = false
    var overlapContention = 0.0

    init(
        engine: Roofline, mode: ExecutionMode, network: Network, groups: Groups, hostSecondsPerOp: Double? = nil,
        hostSecondsPerCollective: Double? = nil
    ) {
        self.engine = engine; self.mode = mode; self.network = network; self.groups = groups
        self.hostSecondsPerOp = hostSecondsPerOp; self.hostSecondsPerCollective = hostSecondsPerCollective
    }
    init(engine: Roofline, mode: ExecutionMode, network: Network, tpGroup: CommGroup) {
        self.init(engine: engine, mode: mode, network: network, groups: Groups(tensor: tpGroup))
    }

    func cost(_ pass: PassKernels) -> PhaseCost {
        var c = PhaseCost()
        var beside = 0.0
        // What a host issues, in program order: (ops, device seconds of each). Collectives sit
        // where the pass issues them; each is one more call the host makes (into NCCL), and the
        // device runs it in stream order, so in a host-bound pass its time hides behind the host
        // issuing what follows, as a kernel's does.
        var queued: [(count: Double, device: Double, host: Double)] = []
        let kernelHost = hostSecondsPerOp ?? 0, collectiveHost = hostSecondsPerCollective ?? kernelHost
        let ordered = pass.collectives.sorted { $0.position < $1.position }
        var next = 0
        func collectives(upTo position: Int) {
            while next < ordered.count && ordered[next].position <= position {
                let op = ordered[next]
                next += 1
                let group = groups.group(op.group)
                var seconds = network.time(op.collective, bytes: op.bytes, group: group)
                c.communicationBytes += op.collective.bytesPerRank(op.bytes, ranks: group.ranks) * op.count
                if op.overlapsAttention { beside += seconds * op.count; continue }
                if tensorOverlap && op.group == .tensor && (op.collective == .allGather || op.collective == .reduceScatter) {
                    let chunk = seconds / Double(group.ranks)
                    seconds = chunk + overlapContention * (seconds - chunk)
                }
                c.communication += seconds * op.count
                if seconds > 0 { queued.append((op.count, seconds, collectiveHost)) }
            }
        }
        for (i, k) in pass.kernels.enumerated() {
            collectives(upTo: i)
            let device = engine.predict(k.kernel, mode: .kernel).timeSeconds / rate(k.kernel)
            switch k.category {
            case .gemm: c.gemm += device * k.count
            case .attention: c.attention += device * k.count
            case .memoryBound, .optimizer: c.memoryBound += device * k.count
            }
            if hostSecondsPerOp != nil {
                queued.append((k.count, device, kernelHost))
            } else {
                let wall = mode == .eager ? engine.predict(k.kernel, mode: .eager).timeSeconds : device
                c.dispatch += max(0, wall - device) * k.count
            }
            c.flops += k.kernel.flops * k.count
            c.kernels += k.count
        }
        collectives(upTo: Int.max)
        if hostSecondsPerOp != nil {
            var queue = HostQueue()
            for op in queued { queue.issue(count: op.count, device: op.device, host: op.host) }
            c.dispatch += queue.hostBoundSeconds
        }
        // Ring sends run beside the attention blocks: only what those cannot hide is exposed.
        c.communication += max(0, beside - c.attention)
        return c
    }

    /// A flash kernel's throughput relative to the one the profile is fitted on; 1 for the rest.
    func rate(_ kernel: Kernel) -> Double {
        if case .attention(let a) = kernel, a.impl == .flash { return flashRate }
        return 1
    }
}
