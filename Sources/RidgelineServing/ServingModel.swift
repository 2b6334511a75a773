import Foundation
import Ridgeline
import RidgelineTraining

/// LLM serving on one replica of `tp × pp` devices: prefill (the prompt, compute-bound at length),
/// decode (one token per sequence per step, bound by reading the weights once per step and each
/// sequence's KV cache), the KV cache's size and the concurrency it allows, and continuous
/// (in-flight) batching at a request rate (Yu et al. 2022, Orca; Kwon et al. 2023, vLLM's paged KV
/// cache; Agrawal et al. 2024, Sarathi-Serve's chunked prefill).
///
/// Every kernel goes through the roofline engine (`Roofline.predict`); the prefill pass is the
/// training forward (`TransformerKernels.layerForward`, the same shapes the training model uses);
/// tensor- and expert-parallel collectives go through the fitted collective model (`Network.time`).

public struct ServingPredictor: Sendable {
    public let config: ServingConfig
    let roofline: Roofline
    let network: Network
    let kernels: TransformerKernels

    public init(_ config: ServingConfig) throws {
        let m = config.model
        guard config.tp >= 1, config.pp >= 1, config.ep >= 1 else { throw ServingError.invalid("--tp, --pp and --ep must be at least 1") }
        guard config.inputTokens >= 1, config.outputTokens >= 1 else {
            throw ServingError.invalid(
                "--input-tokens and --output-tokens must be at least 1 (got \(config.inputTokens), \(config.outputTokens))")
        }
        guard m.heads % config.tp == 0 else {
            throw ServingError.invalid("--tp \(config.tp) must divide the model's \(m.heads) attention heads")
        }
        guard config.pp <= m.layers else { throw ServingError.invalid("--pp \(config.pp) exceeds the model's \(m.layers) layers") }
        if config.ep > 1 {
            guard let moe = m.moe else {
                throw ServingError.invalid("--ep \(config.ep) needs a mixture-of-experts model; \(m.name) is dense")
            }
            guard config.tp % config.ep == 0 else {
                throw ServingError.invalid(
                    "--ep \(config.ep) must divide --tp \(config.tp) (experts split over ep ranks of the tensor-parallel group, each expert over tp/ep)"
                )
            }
            guard moe.experts % config.ep == 0 else {
                throw ServingError.invalid("--ep \(config.ep) must divide the \(moe.experts) experts")
            }
        }
        if let why = config.precision.unsupported(on: config.profile) {
            throw ServingError.invalid("--precision \(config.precision.rawValue): \(why)")
        }
        if let why = config.kvServingPrecision.unsupported(on: config.profile) {
            throw ServingError.invalid("--kv-precision \(config.kvServingPrecision.rawValue): \(why)")
        }
        if let k = config.maxBatchTokens, k < 1 { throw ServingError.invalid("--max-batch-tokens must be at least 1 (got \(k))") }
        if config.inputTokens + config.outputTokens > m.maxSeq {
            // Not an error (RoPE models are served past their training length), but stated.
        }
        self.config = config
        self.roofline = Roofline(config.profile)
        self.network = Network(profile: config.profile, assumptions: TrainingAssumptions())
        let settings = KernelSettings(
            tp: config.tp, microBatch: 1, seq: 1, precision: config.precision.training,
            mode: .compiled, ep: config.ep, expertTP: config.tp / config.ep)
        self.kernels = TransformerKernels(model: m, settings: settings)
    }

    var model: TransformerModel { config.model }
    var t: Int { config.tp }
    var h: Int { model.dModel }
    var act: DType { config.precision == .fp16 ? .fp16 : .bf16 }
    var mm: DType { config.precision.dtype }
    /// A weight GEMM in the serving precision. fp8 accumulates fast: inference engines run
    /// Hopper's fp8 GEMMs without promoting partial sums (CUTLASS's `…FP8FastAccum` schedules in
    /// vLLM and SGLang, FBGEMM's default; CUTLASS's own notes call it the inference choice), as
    /// the prefill's forward GEMMs (`TransformerKernels.gemmForward`) do.
    func weightGEMM(m: Int, n: Int, k: Int, batch: Int = 1) -> Kernel {
        .gemm(GEMM(m: m, n: n, k: k, batch: batch, dtype: mm, fastAccumulation: mm == .fp8))
    }
    var layersPerStage: Double { Double(model.layers) / Double(config.pp) }
    var moeLayersPerStage: Double { Double(model.moeLayerCount) / Double(config.pp) }
    var denseLayersPerStage: Double { layersPerStage - moeLayersPerStage }
    /// The model's norm kernel (LayerNorm or RMSNorm).
    var normOp: RowWise.Op { model.norm == .layernorm ? .layernorm : .rmsnorm }

    // MARK: KV cache

    /// KV-cache bytes one token adds over the whole model: layers × kv_heads × head_dim × 2 (K and
    /// V) × bytes; with MLA the compressed latent and the shared rope key (kv_lora_rank +
    /// qk_rope_dim) per layer (DeepSeek-V2 §2.1.4).
    public static func kvBytesPerToken(_ m: TransformerModel, dtype: DType) -> Double {
        if let mla = m.mla { return Double(m.layers) * Double(mla.kvLoraRank + mla.qkRopeDim) * dtype.bytes }
        return Double(m.layers) * Double(m.kvHeads) * Double(m.dModel / m.heads) * 2 * dtype.bytes
    }

    public var kvBytesPerToken: Double { Self.kvBytesPerToken(model, dtype: config.kvDType) }

    /// Per device: KV heads split over tp (replicated when tp exceeds them; MLA's latent is
    /// replicated), layers over pp.
    public var kvBytesPerTokenPerDevice: Double {
        let heads = model.mla != nil ? 1.0 : Double(model.kvHeads) / Double(min(t, model.kvHeads))
        let perLayer = model.mla.map { Double($0.kvLoraRank + $0.qkRopeDim) } ?? heads * Double(model.dModel / model.heads) * 2
        return perLayer * config.kvDType.bytes * ceil(layersPerStage)
    }

    /// Tokens a sequence holds in its blocks at the end (input + output rounded up to a block).
    public var paddedTokensPerSequence: Double {
        let tokens = config.inputTokens + config.outputTokens
        let block = config.assumptions.tokensPerBlock
        return Double((tokens + block - 1) / block * block)
    }

    // MARK: Memory

    public var weightBytesPerDevice: Double {
        // Every parameter is split over tp (attention heads, MLP columns, vocabulary; experts over
        // ep × tp/ep = tp) and the layers over pp; embedding and head sit on the first and last
        // stages, charged to each device as the larger share.
        let layerParams = model.parameterCount - model.inputParameters - model.outputParameters
        let ends = max(model.inputParameters, model.outputParameters + (model.tiedEmbeddings ? model.inputParameters : 0))
        let perDevice =
            layerParams / Double(config.devices) + (config.pp > 1 ? ends : model.inputParameters + model.outputParameters) / Double(t)
        return perDevice * config.precision.dtype.bytes
    }

    /// Activation workspace of the largest pass: the prefill chunk's hidden states, QKV and MLP
    /// intermediates (the forward frees each layer's), and the logits of a full decode batch.
    public func activationBytesPerDevice(batch: Int) -> Double {
        let tokens = Double(min(config.chunkTokens, max(config.inputTokens, 1) * max(1, batch)))
        let widest = Double(max(model.ffn, (model.moe?.expertFFN ?? 0) * (model.moe?.topK ?? 0)))
        let perToken = (4 * Double(h) + 2 * Double(model.kvDim) + 2 * widest) / Double(t)
        let logits = Double(min(batch, config.assumptions.maxBatch)) * Double(model.vocab) / Double(t) * 4
        return tokens * perToken * act.bytes + logits
    }

    public func memory(batch: Int) -> MemoryUse {
        let capacity = config.profile.deviceMemory.capacityBytes
        let weights = weightBytesPerDevice
        let activations = activationBytesPerDevice(batch: batch)
        let reserve = config.assumptions.runtimeReserveBytes
        let kv = Double(batch) * paddedTokensPerSequence * kvBytesPerTokenPerDevice
        return MemoryUse(
            capacity: capacity, weights: weights, kvCache: kv, activations: activations, reserve: reserve,
            free: capacity - weights - activations - reserve - kv)
    }

    /// Sequences of input + output tokens whose KV cache fits the pool (the share of memory left
    /// after weights, activations and the runtime reserve).
    public var maxConcurrency: Int {
        let capacity = config.profile.deviceMemory.capacityBytes
        let left =
            capacity - weightBytesPerDevice - activationBytesPerDevice(batch: config.assumptions.maxBatch)
            - config.assumptions.runtimeReserveBytes
        guard left > 0 else { return 0 }
        let pool = left * config.assumptions.kvCacheFraction
        return Int(pool / (paddedTokensPerSequence * kvBytesPerTokenPerDevice))
    }

    public func checkFits() throws {
        let capacity = config.profile.deviceMemory.capacityBytes
        let w = weightBytesPerDevice
        let gb = { (x: Double) in String(format: "%.1f GB", x / 1e9) }
        if w + config.assumptions.runtimeReserveBytes >= capacity {
            throw ServingError.doesNotFit(
                "\(model.name) in \(config.precision.rawValue) needs \(gb(w)) of weights per device on \(config.devices) device(s) (tp \(t), pp \(config.pp)); \(config.profile.id) has \(gb(capacity)) (\(gb(config.assumptions.runtimeReserveBytes)) runtime reserve). Use more devices (--tp/--pp) or --precision fp8"
            )
        }
        if maxConcurrency < 1 {
            throw ServingError.doesNotFit(
                "\(model.name) fits its weights (\(gb(w)) per device) but no sequence of \(config.inputTokens + config.outputTokens) tokens fits the KV cache left on \(config.profile.id) (\(gb(capacity)) in all, KV \(String(format: "%.0f", kvBytesPerTokenPerDevice)) bytes/token/device, activations \(gb(activationBytesPerDevice(batch: config.assumptions.maxBatch))))"
            )
        }
    }

    // MARK: Kernels to time

    struct Tally {
        var time = 0.0, compute = 0.0, memory = 0.0, comm = 0.0, overhead = 0.0, flops = 0.0, bytes = 0.0
        var byBound: [String: Double] = [:]
        mutating func add(_ p: Prediction, count: Double) {
            time += p.timeSeconds * count; compute += p.computeSeconds * count; memory += p.memorySeconds * count
            overhead += p.overheadSeconds * count; flops += p.flops * count; bytes += p.bytes * count
            let key: String
            switch p.bound {
            case .compute: key = "compute";
            case .memory: key = "memory";
            case .latency: key = "latency"
            }
            byBound[key, default: 0] += p.timeSeconds * count
        }
        mutating func addComm(_ s: Double) { time += s; comm += s; byBound["communication", default: 0] += s }
        /// A step's fixed cost (launches, scheduling: `ServingAssumptions.stepOverhead`), counted as
        /// overhead and time but no bound.
        mutating func addStepOverhead(_ s: Double) { overhead += s; time += s }
        static func += (a: inout Tally, b: Tally) {
            a.time += b.time; a.compute += b.compute; a.memory += b.memory; a.comm += b.comm; a.overhead += b.overhead
            a.flops += b.flops; a.bytes += b.bytes
            for (k, v) in b.byBound { a.byBound[k, default: 0] += v }
        }
        func scaled(_ f: Double) -> Tally {
            var r = self
            r.time *= f; r.compute *= f; r.memory *= f; r.comm *= f; r.overhead *= f; r.flops *= f; r.bytes *= f
            r.byBound = r.byBound.mapValues { $0 * f }
            return r
        }
        func phase(tokens: Int) -> ServingPhase {
            ServingPhase(
                timeSeconds: time, computeSeconds: compute, memorySeconds: memory, communicationSeconds: comm,
                overheadSeconds: overhead, flops: flops, bytes: bytes,
                bound: byBound.max { $0.value < $1.value }?.key ?? "latency", tokens: tokens)
        }
    }

    /// The roofline prediction with every operand streamed from device memory: in a serving step
    /// the weights and the KV cache cycle through far more than the L2 holds, so a small decode
    /// GEMM's weights are never cache-resident (the engine's hierarchical roofline would serve a
    /// 33 MB matrix from H100's 50 MB L2). Decode attention is a streaming read of the KV cache
    /// (FlashDecoding, TensorRT-LLM's XQA): it gets the profile's `copy` memory fraction, not the
    /// `attention` one fitted on compute-bound training attention.
    func predict(_ kernel: Kernel, streamingAttention: Bool = false) -> Prediction {
        var kernel = kernel
        if mm == .fp4, case .gemm(var g) = kernel, g.dtype == config.precision.training.gemmDType {
            g.dtype = .fp4; kernel = .gemm(g)
        }
        var p = roofline.predict(kernel)
        let cls = kernel.kernelClass
        let cal = config.profile.calibration
        let streaming = streamingAttention && cls == .attention
        // A class the calibration gives no memory fraction (a100's gemm) streams at its copy fraction.
        let measured: KernelClass = streaming || cal?.memory[cls] == nil ? .copy : cls
        let fraction = cal?.memoryFraction(measured, deviceMemory: true) ?? 1
        let hbm = kernel.bytes / (config.profile.deviceMemory.bandwidth * fraction)
        let memory = streaming ? hbm : max(p.memorySeconds, hbm)
        let roof = max(p.computeSeconds, memory)
        p.memorySeconds = memory
        p.timeSeconds = roof + p.overheadSeconds
        if p.overheadSeconds > roof {
            p.bound = .latency
        } else {
            p.bound = p.computeSeconds >= memory ? .compute(p.computeDType) : .memory(config.profile.deviceMemory.name)
        }
        return p
    }

    func group(_ kind: CommGroupKind) -> CommGroup {
        let ranks: Int
        switch kind {
        case .tensor: ranks = t
        case .expert: ranks = config.ep
        case .expertTensor: ranks = t / config.ep
        case .context: ranks = 1
        }
        return CommGroup(ranks: ranks, ranksPerNode: min(ranks, max(1, network.domainSize)))
    }

    func time(_ pass: PassKernels) -> Tally {
        var tally = Tally()
        for k in pass.kernels { tally.add(predict(k.kernel), count: k.count) }
        for c in pass.collectives { tally.addComm(network.time(c.collective, bytes: c.bytes, group: group(c.group)) * c.count) }
        return tally
    }

    func tensorAllReduce(tokens: Int) -> Double {
        t > 1 ? network.time(.allReduce, bytes: Double(tokens) * Double(h) * act.bytes, group: group(.tensor)) : 0
    }

    /// Final norm and LM head for `rows` tokens (only the last token of a prompt needs logits).
    func headTally(rows: Int) -> Tally {
        var tally = Tally()
        tally.add(predict(.rowwise(RowWise(normOp, rows: rows, cols: h, dtype: act))), count: 1)
        tally.add(predict(weightGEMM(m: rows, n: max(1, model.vocab / t), k: h)), count: 1)
        if t > 1 { tally.addComm(network.time(.allGather, bytes: Double(rows) * Double(model.vocab) * 4, group: group(.tensor))) }
        return tally
    }

    /// One prefill pass of `sequences` × `seq` new tokens after `past` tokens already cached:
    /// the training forward of one layer (its GEMMs, flash attention within the chunk, norms,
    /// activations and tensor-parallel all-reduces), plus the chunk's attention to the cached
    /// context, per layer of a stage; pipeline stages run one after another for one request.
    func prefillPass(sequences: Int, seq: Int, past: Int) -> Tally {
        var s = kernels.settings
        s.microBatch = sequences; s.seq = seq
        let k = TransformerKernels(model: model, settings: s)
        var tally = time(k.layerForward(moe: false)).scaled(denseLayersPerStage)
        if moeLayersPerStage > 0 { tally += time(k.layerForward(moe: true)).scaled(moeLayersPerStage) }
        if past > 0 {
            let a = Attention(
                batch: sequences, heads: model.heads / t, kvHeads: max(1, model.kvHeads / t), seq: seq, seqKV: past,
                headDim: model.headDim, causal: false, impl: .flash, dtype: act)
            var extra = Tally(); extra.add(predict(.attention(a)), count: 1)
            tally += extra.scaled(layersPerStage)
        }
        var full = tally.scaled(Double(config.pp))
        var input = Tally()
        input.add(predict(.embedding(Embedding(tokens: sequences * seq, dModel: h, vocab: max(1, model.vocab / t), dtype: act))), count: 1)
        full += input
        full += headTally(rows: sequences)
        if config.pp > 1 {
            let p2p = network.time(
                .sendRecv, bytes: Double(sequences * seq) * Double(h) * act.bytes / Double(t), group: CommGroup(ranks: 2, ranksPerNode: 2))
            full.addComm(p2p * Double(config.pp - 1))
        }
        full.addStepOverhead(config.assumptions.stepOverhead)
        return full
    }

    /// Prefill of `requests` prompts of the input length, in passes of at most --max-batch-tokens
    /// (whole prompts packed together, or one prompt in chunks that attend to the chunks before).
    public func prefill(requests: Int = 1) -> ServingPhase {
        let i = config.inputTokens, chunk = config.chunkTokens
        var total = Tally()
        if i <= chunk {
            let perPass = max(1, min(requests, chunk / i))
            let full = requests / perPass, rest = requests % perPass
            if full > 0 { total += prefillPass(sequences: perPass, seq: i, past: 0).scaled(Double(full)) }
            if rest > 0 { total += prefillPass(sequences: rest, seq: i, past: 0) }
        } else {
            var one = Tally(), done = 0
            while done < i {
                let n = min(chunk, i - done)
                one += prefillPass(sequences: 1, seq: n, past: done)
                done += n
            }
            total = one.scaled(Double(requests))
        }
        return total.phase(tokens: requests * i)
    }
}
