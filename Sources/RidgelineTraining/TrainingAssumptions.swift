/// What a training framework does that the hardware profile cannot say: how close collectives
/// get to the links, what precision gradients travel in, how much of the gradient reduction
/// overlaps. One set for every prediction (nothing is tuned per configuration); each number says
/// where it comes from.
public struct TrainingAssumptions: Sendable, Hashable {
    /// NCCL ring "bus bandwidth" over NVLink as a fraction of the per-direction link rate:
    /// nccl-tests all_reduce on DGX A100 reaches about 230 of 300 GB/s, on DGX H100 about 360
    /// of 450 GB/s (NVIDIA nccl-tests results published with the DGX systems): ≈ 0.78. Used only
    /// where the profile's link has no measured `collective` bus bandwidth or efficiency; the fit
    /// on the shipped DGX-A100 all-reduce tables gives 233 of 300 GB/s at 8 GPUs, 0.778.
    public var scaleUpEfficiency: Double = 0.78
    /// The same over InfiniBand: nccl-tests multi-node reaches ≈ 90% of the NIC line rate for
    /// large messages (HDR: about 22–23 of 25 GB/s per port). Used where the profile's network
    /// has no fitted `collective.efficiency` (`ridgeline calibrate-network` on multi-node runs).
    public var scaleOutEfficiency: Double = 0.9
    /// Bytes per gradient element on the wire: Megatron-LM and PyTorch AMP reduce bf16/fp16
    /// gradients in their storage format (2 bytes); fp32 training reduces 4.
    public var gradientReduceBytesMixed: Double = 2
    /// PyTorch DDP's default bucket (`bucket_cap_mb = 25`): the last bucket's reduction cannot
    /// overlap backward because no backward is left to hide it.
    public var lastBucketBytes: Double = 25 * 1_048_576
    /// Whether a sharded (ZeRO-3/FSDP) model gathers its parameters again for the recomputed
    /// forward when activations are recomputed in full: DeepSpeed ZeRO-3 frees parameters after
    /// every module's forward, so checkpointed layers gather once more in backward. PyTorch FSDP
    /// with the checkpoint inside the unit does not: its pre-backward hook gathers the unit once,
    /// and the recomputed forward runs on those parameters (a source sets false).
    public var zero3RegatherForRecompute: Bool = true
    /// Data-parallel collectives over groups with several ranks per node run hierarchically:
    /// NCCL's multi-channel rings cross each node boundary once per channel, one NIC each, so
    /// only 1/(ranks per node) of the buffer leaves a node per device (nccl-tests multi-node
    /// all_reduce on DGX A100 reaches ≈ 8 × 22 GB/s bus bandwidth).
    public var hierarchicalDataParallel: Bool = true
    /// ZeRO-3 gathers and scatters as DeepSpeed did in 2021 (one collective per parameter
    /// partition over a flat group): every device's traffic crosses its own network port. The
    /// evidence is Narayanan et al. 2021 Table 2: at 768 and 1536 GPUs the step time stays at
    /// ≈ 67 s while per-GPU traffic stays constant and compute halves, the signature of a
    /// per-device network bound.
    public var hierarchicalZeRO3: Bool = false
    /// Compute slowed per second of communication running beside it (NCCL kernels occupy SMs
    /// and HBM bandwidth while they run). The one number here fitted on reference data:
    /// Narayanan et al. 2021 Table 2, ZeRO-3 rows at 384 and 640 GPUs, where compute and
    /// gathers take about as long as each other (0.35 reproduces both within 5%).
    public var overlapContention: Double = 0.35
    /// Pipeline point-to-point sends are split over the tensor-parallel ranks and gathered on
    /// the far side over the scale-up link (Narayanan et al. 2021, "scatter/gather").
    public var pipelineScatterGather: Bool = true
    /// Routed tokens the busiest expert-parallel rank receives over its even share when nothing
    /// caps them: 1.1, the residual imbalance of a router trained with an auxiliary load-balancing
    /// loss (Fedus et al. 2022, Switch Transformer §2.2; Lepikhin et al. 2021). Tokens over
    /// `--capacity-factor` × the even share are dropped and expert buffers are padded to it, so
    /// the busiest rank computes min(capacity factor, this) × the even share: with the default
    /// factor 1.0 the cap binds; a factor above 1.1 (or dropless routing) leaves this imbalance.
    public var expertLoadImbalance: Double = 1.1
    /// Host (CPU) seconds the framework spends issuing one kernel of the step's list, a property
    /// of the framework and host CPU, not of the GPU (Python, dispatcher, autograd, launch). When
    /// set, the kernels of either mode's list queue asynchronously and a pass costs the finish time
    /// of that queue, about max(device time, kernels × this) (`HostQueue`): Megatron-DeepSpeed's
    /// fused kernels issued from Python are `compiled` with this set. nil: device time, each op
    /// floored at the profile's dispatch latency in eager mode (one op timed alone).
    public var hostSecondsPerOp: Double? = nil
    /// Host seconds of one collective call where `hostSecondsPerOp` is set (the framework's
    /// wrapper and NCCL's enqueue: one call, with none of the unlisted ops a listed kernel stands
    /// for); nil: the same as a kernel.
    public var hostSecondsPerCollective: Double? = nil
    /// Apply the shape rule of Megatron's fused scale-mask-softmax to the compiled unfused
    /// attention core (`TransformerKernels.fusedSoftmaxRuns`): where micro-batch × heads per rank
    /// is not a multiple of 4 the softmax runs as five fp32 PyTorch ops each way. Off by default
    /// (the fused kernel assumed); a source that states its micro-batch turns it on.
    public var megatronSoftmaxRule = false
    /// Bytes per parameter that ZeRO-3/FSDP all-gathers (its `param_dtype`): nil, the working
    /// weights' bytes; 4 where the framework keeps and gathers fp32 parameters and autocast
    /// casts them per op (PyTorch FSDP with `param_dtype` fp32).
    public var shardedParameterBytes: Double? = nil
    /// The flash-attention kernel the framework runs (`FlashKernel`): the profiles' attention
    /// fraction is the architecture's own kernels'; an older kernel runs the same work at its
    /// published relative rate.
    public var flashKernel: FlashKernel = .native
    /// Sequence-parallel all-gathers and reduce-scatters of the tensor-parallel group overlapped
    /// with the GEMMs that consume or produce them (Transformer Engine's userbuffers,
    /// `ub_tp_comm_overlap`: the transfer is split into tp chunks over a ring, each chunk's GEMM
    /// runs while the next chunk moves), so one chunk of tp stays exposed. false: all exposed.
    public var tensorParallelCommOverlap = false
    /// ZeRO-1/2 parameter all-gather overlapped with the next step's forward: Megatron-core's
    /// distributed optimizer with `overlap_param_gather` and apex's `DistributedFusedAdam` with
    /// `overlap_param_sync` launch each bucket's gather from a forward pre-hook of the first
    /// micro-batch, so the gather runs beside that forward (on the stage holding the most
    /// parameters), exposing one bucket (`lastBucketBytes`) and what the forward cannot hide,
    /// and slowing the forward by `overlapContention` of the rest. false: the gather follows
    /// the optimizer step, all exposed (Megatron-LM without the overlap).
    public var overlapParameterGather = false

    public init() {}
}
