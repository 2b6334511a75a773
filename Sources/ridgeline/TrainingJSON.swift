import RidgelineTraining

/// The `breakdown` object of `train --json`: seconds per step.
struct StepBreakdownJSON: Encodable {
    let gemm, attention, memory_bound, optimizer, exposed_communication, pipeline_bubble, dispatch_overhead: Double
    init(_ b: StepBreakdown) {
        gemm = b.gemm; attention = b.attention; memory_bound = b.memoryBound; optimizer = b.optimizer
        exposed_communication = b.exposedCommunication; pipeline_bubble = b.pipelineBubble; dispatch_overhead = b.dispatchOverhead
    }
}
