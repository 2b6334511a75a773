import Ridgeline
import RidgelineTraining

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
