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

/// Weight and KV-cache storage: bf16, fp16, fp8 (weights and KV cache in fp8, GEMMs on the fp8
/// peak) or fp4 (NVFP4: 0.5625 bytes per value with its block scales, GEMMs on the fp4 peak;
/// only on parts whose profile has one, see `unsupported(on:)`).
public enum ServingPrecision: String, CaseIterable, Sendable, Hashable {
    case bf16, fp16, fp8, fp4
    /// The training precision whose kernel shapes a prefill pass borrows. fp4 has none (no one
    /// trains in it): it borrows fp8's (bf16 activations, narrow GEMMs), and `ServingPredictor`
    /// re-types those GEMMs to fp4.
    public var training: Precision {
        switch self {
        case .bf16: return .bf16;
        case .fp16: return .fp16;
        case .fp8, .fp4: return .fp8
        }
    }
    public var dtype: DType {
        switch self {
        case .bf16: return .bf16;
        case .fp16: return .fp16;
        case .fp8: return .fp8;
        case .fp4: return .fp4
        }
    }
    /// Why `profile` cannot serve in this precision, or nil: fp8 and fp4 need a tensor peak in
    /// their dtype (a part without one would run them on a wider format's peak, which is not fp8
    /// or fp4 serving).
    public func unsupported(on profile: HardwareProfile) -> String? {
        switch self {
        case .bf16, .fp16: return nil
        case .fp8, .fp4:
            guard profile.compute.peak[dtype] == nil else { return nil }
            let example = self == .fp4 ? "Blackwell-class parts such as b200 and gb200" : "Hopper, Ada and Blackwell parts"
            return
                "\(profile.id) is \(profile.architecture) and its profile has no \(rawValue) tensor peak (\(example) have one); use \(self == .fp4 && profile.compute.peak[.fp8] != nil ? "fp8 or bf16" : "bf16")"
        }
    }
}

/// What a serving engine does that the hardware profile cannot say. One set for every prediction;
/// each number says where it comes from.
public struct ServingAssumptions: Sendable, Hashable {
    /// Host-side cost of one engine iteration (scheduling, sampling, detokenisation, the CUDA-graph
    /// launch): 0.5 ms, the order TensorRT-LLM and vLLM report for their per-iteration CPU
    /// overhead with CUDA graphs (stated default, not fitted).
    public var stepOverhead: Double = 0.5e-3
    /// Share of the memory left after weights and activations that the KV cache pool takes:
    /// TensorRT-LLM's `free_gpu_memory_fraction` default 0.9 (vLLM's `gpu_memory_utilization` 0.9).
    public var kvCacheFraction: Double = 0.9
    /// Tokens per KV-cache block (paged attention): TensorRT-LLM's `tokens_per_block` default 64;
    /// a sequence's last block is partly empty (the paging overhead, at most one block per sequence).
    public var tokensPerBlock: Int = 64
    /// Memory held outside weights, KV cache and activations: the CUDA context, NCCL buffers and
    /// the allocator's reserve, about 1.5 GiB per device (stated estimate).
    public var runtimeReserveBytes: Double = 1.5 * 1_073_741_824
    /// Largest batch the engine schedules (TensorRT-LLM's default `max_batch_size` is 2048 in
    /// trtllm-bench; the throughput tables cap near it).
    public var maxBatch: Int = 2048
    /// An online server's own per-request path before the first token leaves it (HTTP, tokenisation,
    /// the Triton ensemble's pre- and post-processing): 8 ms, read off the lowest-rate rows of
    /// TensorRT-LLM's online table (measured TTFT exceeds the prefill by 7-16 ms there), so those
    /// rows are not independent evidence for it. Charged for --rate and --concurrency, not --batch.
    public var requestOverhead: Double = 8e-3
    public init() {}
}

/// What to serve, on what, and how.
public struct ServingConfig: Sendable {
    public var model: TransformerModel
    public var profile: HardwareProfile
    public var tp = 1
    public var pp = 1
    /// Expert-parallel ranks inside the tensor-parallel group (TensorRT-LLM's moe_ep_size ×
    /// moe_tp_size = tp): experts split over ep ranks, each expert's MLP split over tp/ep.
    public var ep = 1
    public var precision: ServingPrecision = .bf16
    public var kvPrecision: ServingPrecision?
    public var inputTokens: Int
    public var outputTokens: Int
    /// Prompt tokens one prefill pass takes (chunked prefill); nil: 8192.
    public var maxBatchTokens: Int?
    public var price: Double?
    public var assumptions = ServingAssumptions()

    public init(model: TransformerModel, profile: HardwareProfile, inputTokens: Int, outputTokens: Int) {
        self.model = model; self.profile = profile; self.inputTokens = inputTokens; self.outputTokens = outputTokens
    }

    public var devices: Int { tp * pp }
    /// The KV cache's precision: --kv-precision, else the weights' (fp4 weights keep an fp8 cache:
    /// 4-bit KV caches are a separate choice, asked for with --kv-precision fp4).
    public var kvServingPrecision: ServingPrecision { kvPrecision ?? (precision == .fp4 ? .fp8 : precision) }
    public var kvDType: DType { kvServingPrecision.dtype }
    public var chunkTokens: Int { maxBatchTokens ?? 8192 }
}

/// How requests arrive.
public enum ServingLoad: Sendable, Equatable {
    /// A static batch of B requests started together (TTFT = their prefill; then B decode).
    case batch(Int)
    /// C clients, each sending its next request when the last one finishes (closed loop).
    case concurrency(Int)
    /// Poisson arrivals at this many requests per second (open loop, continuous batching).
    case rate(Double)
    /// Every request at once: the concurrency that maximises output tokens/s within memory.
    case maxLoad
    /// A run of this many requests issued at once (an offline benchmark such as trtllm-bench's
    /// `num_requests`): the max-load batch runs until the requests run out, so the run ends with a
    /// partial generation of the remainder, and its throughput is all the tokens over the whole run.
    case requests(Int)
}

/// Time of a step and what bound it.
public struct ServingPhase: Sendable {
    public var timeSeconds: Double
    public var computeSeconds: Double
    public var memorySeconds: Double
    public var communicationSeconds: Double
    public var overheadSeconds: Double
    public var flops: Double
    public var bytes: Double
    /// The bound of the kernels that took most of the time: compute, memory, latency or communication.
    public var bound: String
    public var tokens: Int
}

public struct MemoryUse: Sendable {
    public var capacity: Double
    public var weights: Double
    public var kvCache: Double
    public var activations: Double
    public var reserve: Double
    public var free: Double
}

public struct ServingEstimate: Sendable {
    public var model: String
    public var hardware: String
    public var devices: Int
    public var tp: Int, pp: Int, ep: Int
    public var precision: String
    public var kvPrecision: String
    public var inputTokens: Int, outputTokens: Int
    public var ttft: Double
    public var tpot: Double
    public var e2eLatency: Double
    public var outputTokensPerSecond: Double
    public var requestsPerSecond: Double
    public var batch: Double
    public var maxConcurrency: Int
    public var kvCacheBytesPerToken: Double
    public var kvCacheBytesPerTokenPerDevice: Double
    public var pagingOverheadFraction: Double
    public var memory: MemoryUse
    public var prefill: ServingPhase
    public var decode: ServingPhase
    public var queueingSeconds: Double
    public var utilization: Double
    public var costPerMillionTokens: Double?
    public var energyPerMillionTokensKWh: Double
    public var stepOverhead: Double
    public var notes: [String]
    public var outputTokensPerSecondPerDevice: Double { outputTokensPerSecond / Double(devices) }
}

public enum ServingError: Error, CustomStringConvertible, Equatable {
    case doesNotFit(String)
    case invalid(String)
    public var description: String {
        switch self {
        case .doesNotFit(let s), .invalid(let s): return s
        }
    }
}

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
        tally.add(predict(.gemm(GEMM(m: rows, n: max(1, model.vocab / t), k: h, dtype: mm))), count: 1)
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
