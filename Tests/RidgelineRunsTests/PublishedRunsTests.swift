import Foundation
import Ridgeline
import RidgelineTraining
import Testing

@testable import RidgelineRuns

/// Each shipped published-runs file read through its source's column map, and check-runs' report.
@Suite struct PublishedRunsTests {
    static func load(_ name: String) throws -> RunSourceFile {
        try PublishedRuns.load(path: try DataRoot.locate().reference("training-runs/\(name)"))
    }

    static func run(_ file: RunSourceFile, _ id: String) throws -> RunCase {
        let outcome = try #require(file.outcomes.first { (try? $0.get().id) == id })
        return try outcome.get()
    }

    /// The run's transformer (every training-runs source and the train_step GPT and Llama rows build one).
    static func transformer(_ run: RunCase) throws -> TransformerModel {
        guard case .transformer(let t) = run.model else {
            throw RidgelineError.invalidSpec(source: run.id, detail: "not a transformer: \(run.model.name)")
        }
        return t
    }

    @Test func vTrainColumns() throws {
        let f = try Self.load("vtrain-a100-single-node.csv")
        #expect(f.outcomes.count == 1440)
        let r = try Self.run(f, "vtrain_single_0000"), m = try Self.transformer(r)
        #expect(m.layers == 24 && m.dModel == 1024 && m.heads == 16 && m.ffn == 4096 && m.vocab == 50257)
        #expect(r.layout.devices == 2 && r.layout.tp == 1 && r.layout.pp == 2 && r.layout.dp == 1)
        #expect(r.layout.microBatch == 8 && r.layout.globalBatch == 16 && !r.layout.overlapGradientReduction)
        #expect(
            r.settings.precision == .fp16 && r.settings.recompute == .full && r.settings.mode == .compiled && !r.settings.flashAttention)
        #expect(
            f.assumptions.hostSecondsPerOp == 68e-6 && f.assumptions.hostSecondsPerCollective == 56e-6 && f.assumptions.megatronSoftmaxRule)
        #expect(r.hardware == "a100-sxm4-80gb" && r.measuredSeconds == 0.372160408)
        #expect(r.group == "a100-sxm4-80gb pp fp16")
    }

    @Test func llmFoundryColumns() throws {
        let f = try Self.load("llmfoundry-mpt-fsdp.csv")
        #expect(f.outcomes.count == 516)
        let r = try Self.run(f, "llmf_000"), m = try Self.transformer(r)
        #expect(m.layers == 32 && m.dModel == 4096 && m.bias && m.position == .learned)
        #expect(
            r.layout.devices == 16 && r.layout.dp == 16 && r.layout.zero == 3 && r.layout.globalBatch == 512 && r.layout.microBatch == 1)
        #expect(r.settings.seq == 16384 && r.settings.precision == .bf16 && r.settings.recompute == .full && r.settings.flashAttention)
        #expect(r.hardware == "a100-sxm4-40gb" && r.measuredSeconds == 296.0411)
        #expect(r.parallelism == "fsdp")
    }

    /// The MPT the benchmarks ran has biases and learned positions (llm-foundry's MPTConfig
    /// defaults, which the yamls leave alone): the model's parameter count is every row's
    /// published NumParams, which grows with the sequence by the position table.
    @Test func llmFoundryModelIsTheOneWhoseParametersTheTablesCount() throws {
        let f = try Self.load("llmfoundry-mpt-fsdp.csv")
        let csv = try CSVTable.load(path: try DataRoot.locate().reference("training-runs/llmfoundry-mpt-fsdp.csv"))
        for i in 0..<csv.rows.count {
            let r = try Self.run(f, try csv.string(i, "run_id"))
            #expect(r.model.parameterCount == (try csv.double(i, "num_params")), "\(r.id)")
        }
        #expect(csv.rows.count == 516)
    }

    /// A row recomputes exactly where its published HFU is 4/3 of its MFU: llm-foundry's tables
    /// count a fourth pass (the recomputed forward) only with activation checkpointing on.
    @Test func llmFoundryRecomputeAgreesWithThePublishedHFU() throws {
        let f = try Self.load("llmfoundry-mpt-fsdp.csv")
        let csv = try CSVTable.load(path: try DataRoot.locate().reference("training-runs/llmfoundry-mpt-fsdp.csv"))
        var kinds: Set<Bool> = []
        for i in 0..<csv.rows.count {
            let r = try Self.run(f, try csv.string(i, "run_id"))
            let ratio = try csv.double(i, "hfu_pct") / csv.double(i, "mfu_pct")
            let checkpointed = abs(ratio - 4.0 / 3) < 0.01
            #expect(checkpointed || abs(ratio - 1) < 0.01, "\(r.id): HFU/MFU \(ratio)")
            #expect((r.settings.recompute == .full) == checkpointed, "\(r.id)")
            kinds.insert(checkpointed)
        }
        #expect(kinds == [true, false])
    }

    /// FSDP's mixed precision by the row's mp_mode and the Composer its commit pins: DEFAULT
    /// before Composer 0.14 gathers fp32 parameters; from 0.16.4 reduces fp32; PURE is bf16.
    @Test func llmFoundryMixedPrecisionByComposerRelease() throws {
        let f = try Self.load("llmfoundry-mpt-fsdp.csv")
        #expect(f.assumptions.hierarchicalZeRO3 == true && f.assumptions.zero3RegatherForRecompute == false)
        #expect(f.assumptions.applied(to: TrainingAssumptions()).zero3RegatherForRecompute == false)
        let csv = try CSVTable.load(path: try DataRoot.locate().reference("training-runs/llmfoundry-mpt-fsdp.csv"))
        var seen: Set<String> = []
        for i in 0..<csv.rows.count {
            let r = try Self.run(f, try csv.string(i, "run_id"))
            let mode = try csv.string(i, "mp_mode"), date = String(try csv.string(i, "first_seen").suffix(10))
            switch (mode, date) {
            case ("DEFAULT", ..<"2023-05-01"): #expect(r.shardedParameterBytes == 4 && r.gradientReduceBytes == nil); seen.insert("old")
            case ("DEFAULT", "2023-10-11"...): #expect(r.shardedParameterBytes == nil && r.gradientReduceBytes == 4); seen.insert("new")
            case ("PURE", _): #expect(r.shardedParameterBytes == nil && r.gradientReduceBytes == nil); seen.insert("pure")
            default: Issue.record("unexpected mp_mode \(mode) first seen \(date)")
            }
        }
        #expect(seen == ["old", "new", "pure"])
    }

    /// The attention kernel and autocast by the row's llm-foundry commit: FlashAttention 1 for the
    /// rows first seen before 2023-03 (flash-attn 0.2.x), the Triton port from 2023-04
    /// (`submit_benchmarks.py`'s default), in 2024-01 the port for MPT-13B/30B and flash-attn 2.x
    /// for the rest (`sweep.py`); autocast over fp32 parameters exactly where FSDP gathers fp32
    /// (DEFAULT before Composer 0.14).
    @Test func llmFoundryAttentionKernelAndAutocastByRelease() throws {
        let f = try Self.load("llmfoundry-mpt-fsdp.csv")
        let csv = try CSVTable.load(path: try DataRoot.locate().reference("training-runs/llmfoundry-mpt-fsdp.csv"))
        var kernels: Set<String> = []
        for i in 0..<csv.rows.count {
            let r = try Self.run(f, try csv.string(i, "run_id"))
            let date = String(try csv.string(i, "first_seen").suffix(10))
            let model = try csv.string(i, "model_name")
            let expected: FlashKernel =
                date < "2023-03-01" ? .flash1 : date < "2024-01-01" || ["MPT-13B", "MPT-30B"].contains(model) ? .tritonPort : .flash2
            #expect(r.flashKernel == expected, "\(r.id) \(date) \(model)")
            #expect(r.settings.autocastFP32Parameters == (r.shardedParameterBytes == 4))
            kernels.insert(r.flashKernel?.rawValue ?? "default")
        }
        #expect(kernels == ["flash1", "flash2", "triton"])
    }

    @Test func nemoColumnsWithModelShapes() throws {
        let f = try Self.load("nemo-h100-pretrain.csv")
        #expect(f.outcomes.count == 233)
        let r = try Self.run(f, "dgxc_249"), m = try Self.transformer(r)
        #expect(m.layers == 80 && m.dModel == 8192 && m.kvHeads == 8 && m.ffnKind == .swiglu && m.norm == .rmsnorm)
        #expect(r.layout.tp == 4 && r.layout.pp == 8 && r.layout.dp == 2 && r.layout.schedule.chunks == 5 && r.layout.zero == 1)
        #expect(r.settings.precision == .fp8 && r.settings.sequenceParallel && r.settings.seq == 8192 && r.measuredSeconds == 9.86)
        // Every NeMo recipe sets gradient_accumulation_fusion: true, and with tp > 1 ub_tp_comm_overlap.
        #expect(f.assumptions.tensorParallelCommOverlap && f.assumptions.applied(to: TrainingAssumptions()).tensorParallelCommOverlap)
        // Every recipe overlaps the distributed optimizer's parameter all-gather (overlap_param_sync /
        // overlap_param_gather); the other sources do not declare it.
        #expect(f.assumptions.overlapParameterGather && f.assumptions.applied(to: TrainingAssumptions()).overlapParameterGather)
        #expect(!(try Self.load("megatron-a100.csv")).assumptions.overlapParameterGather)
        #expect(f.outcomes.allSatisfy { (try? $0.get().settings.fusedWeightGradientAccumulation) == true })
    }

    /// Grok-1 (mixture of experts) with expert parallelism, a proxy layer count and context
    /// parallelism: the experts and top-k of nemo-h100-models.csv, cp and ep in the layout and the
    /// kernel settings, the group naming them, and the experts run one after another (SequentialMLP).
    @Test func nemoMixtureOfExpertsWithContextAndExpertParallelism() throws {
        let f = try Self.load("nemo-h100-pretrain.csv")
        let r = try Self.run(f, "dgxc_003"), m = try Self.transformer(r)
        #expect(m.layers == 8 && m.moe == MixtureOfExperts(experts: 8, topK: 2, expertFFN: 32768))
        #expect(m.ffnKind == .swiglu && m.position == .rope && !m.tiedEmbeddings)
        #expect(r.layout.devices == 64 && r.layout.tp == 4 && r.layout.cp == 2 && r.layout.ep == 8 && r.layout.dp == 8)
        #expect(r.settings.cp == 2 && r.settings.ep == 8 && r.settings.seq == 8192)
        #expect(r.parallelism == "tp(sp)+cp+ep+dp")
        // The Grok-1 recipe's moe_grouped_gemm: false, declared for the source and printed.
        #expect(r.settings.sequentialExperts && f.assumptions.rules.contains { $0.contains("moe_grouped_gemm false") })
    }

    /// The attention kernel by the row's recipe and release: the dgxc-benchmarking launch scripts
    /// that export NVTE_FUSED_ATTN=0 (Grok-1 at v24.11.1 and v25.02, GPT-3 175B at v24.11.1) run
    /// flash-attn 2.x; GPT-3 at v25.02, the Llama recipes (NVTE_FUSED_ATTN=1) and the NeMo 2
    /// launchers of v25.05.01 keep cuDNN's (nil: the default kernel). Declared and printed.
    @Test func nemoAttentionKernelByRecipeAndRelease() throws {
        let f = try Self.load("nemo-h100-pretrain.csv")
        for (id, kernel) in [
            ("dgxc_003", FlashKernel?.some(.flash2)), ("dgxc_129", .flash2), ("dgxc_338", nil), ("dgxc_342", nil),
            ("dgxc_055", nil), ("dgxc_249", nil),
        ] {
            #expect(try Self.run(f, id).flashKernel == kernel, "\(id)")
        }
        let gpt3 = f.outcomes.compactMap { try? $0.get() }.filter { $0.model.name == "GPT-3 175B" }
        #expect(gpt3.count == 20 && gpt3.filter { $0.flashKernel == .flash2 }.count == 10)
        #expect(NeMoSource.flashAttentionRecipe(model: "grok1_314b", release: "8f5cbb37"))
        #expect(!NeMoSource.flashAttentionRecipe(model: "llama3.1_8b", release: "35a9aecc"))
        #expect(!NeMoSource.flashAttentionRecipe(model: "grok1_314b", release: nil))
        #expect(f.assumptions.rules.contains { $0.contains("NVTE_FUSED_ATTN=0") })
    }

    /// Every row of every shipped file is predicted: no refusals (issue 12).
    @Test(arguments: ["megatron-a100.csv", "vtrain-a100-single-node.csv", "llmfoundry-mpt-fsdp.csv", "nemo-h100-pretrain.csv"])
    func everyRowIsPredicted(_ name: String) throws {
        let f = try Self.load(name)
        let check = try RunCheck(f, profile: ProfileStore.locate().hardware)
        #expect(check.refusals.isEmpty, "\(name): \(check.refusals.prefix(3).map { "\($0.id): \($0.reason)" })")
        #expect(check.results.count == f.outcomes.count)
    }

    /// A per-device batch that is not a multiple of the micro-batch runs a smaller last micro-batch.
    @Test func llmFoundryPartialLastMicroBatch() throws {
        let f = try Self.load("llmfoundry-mpt-fsdp.csv")
        let partial = f.outcomes.compactMap { try? $0.get() }.filter { $0.layout.sequencesPerRank % $0.layout.microBatch != 0 }
        #expect(!partial.isEmpty)
        for r in partial.prefix(3) { #expect(r.layout.microBatchEquivalents < Double(r.layout.microBatchesPerStep)) }
    }

    @Test func megatronColumnsGiveTheStepTimeOfTheReportedThroughput() throws {
        let f = try Self.load("megatron-a100.csv")
        #expect(f.outcomes.count == 27)
        let r = try Self.run(f, "megatron21_t1_1p7b")
        // 96·B·s·l·h²(1 + s/6h + V/16lh) / (137 TFLOP/s × 32 GPUs)
        let flops = 96.0 * 512 * 2048 * 24 * 2304 * 2304 * (1 + 2048.0 / (6 * 2304) + 51200.0 / (16 * 24 * 2304))
        #expect(abs(r.measuredSeconds - flops / (137e12 * 32)) / r.measuredSeconds < 1e-9)
    }

    @Test func checkReportsEveryRowAsPredictedOrRefused() throws {
        let store = ProfileStore.locate()
        for name in ["megatron-a100.csv", "nemo-h100-pretrain.csv"] {
            let f = try Self.load(name)
            let check = try RunCheck(f, profile: store.hardware)
            #expect(check.results.count + check.refusals.count == f.outcomes.count)
            let s = check.summary
            #expect(s.count == check.results.count && s.refused == check.refusals.count)
            #expect(s.medianAPE <= s.p90APE && check.groups.map(\.summary.count).reduce(0, +) == s.count)
            #expect(check.groups.map(\.summary.refused).reduce(0, +) == s.refused)
        }
    }

    static let trainStepFile = "gpu-measurements/h100-sxm5-more.jsonl"

    /// The single-GPU eager train steps (JSON lines, section train_step): six transformers from
    /// their columns and ResNet-50 as the shipped CNN, every one predicted (issue 12).
    @Test func trainStepRows() throws {
        let f = try PublishedRuns.load(path: try DataRoot.locate().reference(Self.trainStepFile))
        #expect(f.outcomes.count == 7)
        let gpt = try Self.run(f, "gpt2-124M"), g = try Self.transformer(gpt)
        #expect(g.dModel == 768 && g.vocab == 50304 && g.bias && !g.tiedEmbeddings)
        #expect(gpt.layout.microBatch == 16 && gpt.settings.mode == .eager && gpt.settings.seq == 1024 && gpt.measuredSeconds > 0.058)
        #expect(gpt.settings.optimizer == .adamw && gpt.settings.autocastFP32Parameters)
        let llama = try Self.transformer(try Self.run(f, "llama-1B-like"))
        #expect(llama.kvHeads == 8 && llama.ffn == 5632 && llama.ffnKind == .swiglu && llama.position == .none)
        let check = try RunCheck(f, profile: ProfileStore.locate().hardware)
        #expect(check.results.count == 7 && check.refusals.isEmpty, "\(check.refusals.map { "\($0.id): \($0.reason)" })")
        #expect(check.summary.count == 7 && check.summary.refused == 0)
    }

    /// The ResNet-50 row is the shipped torchvision ResNet-50 trained as the row states: batch 256
    /// in one micro-batch, eager, bf16 autocast over fp32 parameters, SGD with momentum.
    @Test func trainStepResNetRowIsTheShippedCNN() throws {
        let f = try PublishedRuns.load(path: try DataRoot.locate().reference(Self.trainStepFile))
        let r = try Self.run(f, "resnet50")
        #expect(r.model == (try ProfileStore.locate().model("resnet-50")))
        guard case .cnn(let cnn) = r.model else { Issue.record("resnet50 is not read as a CNN: \(r.model.name)"); return }
        #expect(cnn.image == 224 && cnn.parameterCount == 25_557_032)
        #expect(r.layout.devices == 1 && r.layout.microBatch == 256 && r.layout.globalBatch == 256)
        #expect(r.settings.microBatch == 256 && r.settings.mode == .eager && r.settings.precision == .bf16)
        #expect(r.settings.autocastFP32Parameters && r.settings.optimizer == .sgd && r.settings.recompute == .none)
        #expect(r.hardware == "h100-sxm5-80gb" && abs(r.measuredSeconds - 0.06497718048095703) < 1e-12)
        #expect(r.group == "h100-sxm5-80gb single bf16")
        let check = try RunCheck(f, profile: ProfileStore.locate().hardware)
        let result = try #require(check.results.first { $0.run.id == "resnet50" })
        #expect(result.predictedSeconds > 0 && result.error.isFinite)
    }

    /// A train_step row the source cannot read as its network is refused naming the field and
    /// value: an image size or parameter count other than the model's, another precision or optimizer, an
    /// unknown model.
    @Test func trainStepRowsThatDoNotMatchAreRefused() throws {
        let path = try DataRoot.locate().reference(Self.trainStepFile)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let resnet = try #require(text.split(separator: "\n").first { $0.contains("\"model\": \"resnet50\"") })
        let cases: [(String, [String])] = [
            (resnet.replacingOccurrences(of: "\"image\": 224", with: "\"image\": 256"), ["image", "256", "224"]),
            (resnet.replacingOccurrences(of: "\"precision\": \"bf16-autocast\"", with: "\"precision\": \"fp32\""), ["precision", "fp32"]),
            (resnet.replacingOccurrences(of: "\"optimizer\": \"sgd-momentum\"", with: "\"optimizer\": \"lamb\""), ["optimizer", "lamb"]),
            (resnet.replacingOccurrences(of: "\"params\": 25557032", with: "\"params\": 11689512"), ["params", "11689512"]),
            (resnet.replacingOccurrences(of: "\"model\": \"resnet50\"", with: "\"model\": \"alexnet\""), ["unknown model alexnet"]),
            // vgg16 is known, but its parameters are not ResNet-50's.
            (resnet.replacingOccurrences(of: "\"model\": \"resnet50\"", with: "\"model\": \"vgg16\""), ["params", "138357544"]),
            (resnet.replacingOccurrences(of: "\"ms_median\": 64.", with: "\"ms_median\": -64."), ["ms_median", "-64."]),
        ]
        for (row, words) in cases {
            #expect(row != resnet)
            let f = try TrainStepSource.read(text: row, file: "steps.jsonl")
            #expect(f.outcomes.count == 1)
            guard case .failure(let refusal) = try #require(f.outcomes.first) else {
                Issue.record("not refused: \(row)"); continue
            }
            #expect(refusal.origin == "steps.jsonl:1")
            for word in words { #expect(refusal.reason.contains(word), "\(refusal.reason) lacks \(word)") }
        }
        // The shipped row itself reads.
        #expect((try? TrainStepSource.read(text: String(resnet), file: "steps.jsonl").outcomes.first?.get()) != nil)
    }

    /// scripts/train-step-profile.py's other CNN steps, torchvision's resnet18 and vgg16, read as
    /// the shipped resnet-18 and vgg-16 with their own parameter counts.
    @Test(arguments: [("resnet18", "resnet-18", 11_689_512), ("vgg16", "vgg-16", 138_357_544)])
    func trainStepOtherCNNsAreTheShippedModels(row: String, model: String, params: Int) throws {
        let record =
            "{\"section\": \"train_step\", \"model\": \"\(row)\", \"params\": \(params), \"batch\": 128, \"image\": 224, "
            + "\"precision\": \"bf16-autocast\", \"optimizer\": \"sgd-momentum\", \"ms_median\": 40.0, \"device\": \"NVIDIA H200\"}"
        let r = try #require(try TrainStepSource.read(text: record, file: "steps.jsonl").outcomes.first).get()
        #expect(r.model == (try ProfileStore.locate().model(model)))
        #expect(r.hardware == "h200-sxm-141gb" && r.layout.microBatch == 128 && r.settings.optimizer == .sgd)
    }

    /// A record's GPU is the one its `device` names (as scripts/train-step-profile.py writes it),
    /// else the file's device row (the reference names the H100 once); a device Ridgeline has no
    /// profile for is refused naming the field.
    @Test func trainStepHardwareIsTheDeviceTheRecordOrFileNames() throws {
        let path = try DataRoot.locate().reference(Self.trainStepFile)
        let reference = try PublishedRuns.load(path: path)
        #expect(reference.outcomes.count == 7 && reference.outcomes.allSatisfy { (try? $0.get().hardware) == "h100-sxm5-80gb" })
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let resnet = try #require(text.split(separator: "\n").first { $0.contains("\"model\": \"resnet50\"") })
        func hardware(_ line: String) throws -> Result<RunCase, Refusal> {
            try #require(try TrainStepSource.read(text: line, file: "steps.jsonl").outcomes.first)
        }
        let h200 = resnet.replacingOccurrences(
            of: "\"section\": \"train_step\",", with: "\"section\": \"train_step\", \"device\": \"NVIDIA H200\",")
        #expect(h200 != resnet)
        #expect(try hardware(h200).get().hardware == "h200-sxm-141gb")
        let deviceRow = #"{"section": "device", "name": "NVIDIA A100-SXM4-40GB"}"#
        #expect(try hardware(deviceRow + "\n" + resnet).get().hardware == "a100-sxm4-40gb")
        #expect(try hardware(String(resnet)).get().hardware == "h100-sxm5-80gb")
        let cpu = resnet.replacingOccurrences(of: "\"section\": \"train_step\",", with: "\"section\": \"train_step\", \"device\": \"cpu\",")
        guard case .failure(let refusal) = try hardware(cpu) else {
            Issue.record("a step on a CPU was predicted on a GPU profile")
            return
        }
        #expect(refusal.reason.contains("device") && refusal.reason.contains("cpu"))
    }

    /// A measured time (or throughput) that is zero or negative is bad input: the run is refused,
    /// or the file rejected, with the column and the value, never predicted against.
    @Test(arguments: [
        ("vtrain-a100-single-node.csv", "measured_iteration_s"), ("llmfoundry-mpt-fsdp.csv", "measured_iteration_s"),
        ("nemo-h100-pretrain.csv", "measured_step_s"), ("megatron-a100.csv", "reported_tflops_per_gpu"),
    ])
    func aNonPositiveMeasurementIsRefusedByColumn(_ name: String, _ column: String) throws {
        let text = try String(contentsOfFile: try DataRoot.locate().reference("training-runs/\(name)"), encoding: .utf8)
        let table = try CSVTable(text: text, file: name)
        let row = try #require((0..<table.rows.count).first { (try? table.optionalDouble($0, column)) != nil })
        let fields = try #require(table.header.firstIndex(of: column))
        var cells = table.rows[row]
        cells[fields] = "-" + cells[fields]
        let quoted = cells.map { (cell: String) -> String in
            guard cell.contains(",") || cell.contains("\"") else { return cell }
            return "\"\(cell.replacingOccurrences(of: "\"", with: "\"\""))\""
        }
        let path = NSTemporaryDirectory() + "negative-\(getpid())-\(name)"
        let header = table.header.joined(separator: ",")
        try "\(header)\n\(quoted.joined(separator: ","))\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let file = try PublishedRuns.load(path: path)
            guard case .failure(let refusal) = try #require(file.outcomes.first) else {
                Issue.record("\(name): a negative \(column) was predicted against")
                return
            }
            #expect(refusal.reason.contains(column) && refusal.reason.contains("positive"), "\(refusal.reason)")
        } catch {
            #expect("\(error)".contains(column) && "\(error)".contains("positive"), "\(error)")
        }
    }

    @Test func unknownFileIsAClearError() throws {
        #expect(throws: RidgelineError.self) {
            try PublishedRuns.load(path: try DataRoot.locate().reference("collectives/allreduce-a100-2gpu.csv"))
        }
    }
}
