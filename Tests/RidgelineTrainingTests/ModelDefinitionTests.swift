import Foundation
import Ridgeline
import Testing

@testable import RidgelineTraining

@Suite struct ModelDefinitionTests {
    /// Every shipped model against its published parameter count (source next to each number).
    static let published: [(id: String, parameters: Double, source: String)] = [
        ("gpt2-124m", 124_439_808, "Hugging Face GPT2LMHeadModel 'gpt2'"),
        ("gpt2-355m", 354_823_168, "Hugging Face 'gpt2-medium'"),
        ("gpt2-774m", 774_030_080, "Hugging Face 'gpt2-large'"),
        ("gpt2-1.5b", 1_557_611_200, "Hugging Face 'gpt2-xl'"),
        ("gpt3-175b", 175.0e9, "Brown et al. 2020 Table 2.1"),
        ("megatron-1.7b", 1.7e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-3.6b", 3.6e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-7.5b", 7.5e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-18.4b", 18.4e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-39.1b", 39.1e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-76.1b", 76.1e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-145.6b", 145.6e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-310.1b", 310.1e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-529.6b", 529.6e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-1t", 1008.0e9, "Narayanan et al. 2021 Table 1"),
        ("megatron-175b", 174.6e9, "Narayanan et al. 2021 Table 2"),
        ("megatron-22b", 22e9, "Korthikanti et al. 2022 Table 3"),
        ("llama2-7b", 6_738_415_616, "Hugging Face meta-llama/Llama-2-7b-hf"),
        ("llama2-13b", 13_015_864_320, "Hugging Face meta-llama/Llama-2-13b-hf"),
        ("llama2-70b", 68_976_648_192, "Hugging Face meta-llama/Llama-2-70b-hf"),
        ("llama3-8b", 8_030_261_248, "Hugging Face meta-llama/Meta-Llama-3-8B"),
        ("llama3-70b", 70_553_706_496, "Hugging Face meta-llama/Meta-Llama-3-70B"),
        ("llama3-405b", 405_853_388_800, "Hugging Face meta-llama/Llama-3.1-405B"),
        ("llama3.1-8b", 8_030_261_248, "Hugging Face meta-llama/Llama-3.1-8B"),
        ("llama3.1-70b", 70_553_706_496, "Hugging Face meta-llama/Llama-3.1-70B"),
        ("llama3.1-405b", 405_853_388_800, "Hugging Face meta-llama/Llama-3.1-405B"),
        ("mixtral-8x7b", 46.7e9, "Jiang et al. 2024 (Mixtral of Experts): 46.7B total"),
        ("mixtral-8x22b", 141e9, "Mistral AI 2024-04-17: 141B total"),
        ("grok-1", 314e9, "xai-org/grok-1 README: 314B"),
        ("nemotron-4-15b", 15.6e9, "Parmar et al. 2024 (Nemotron-4 15B): 3.2B embedding + 12.5B non-embedding"),
        ("nemotron-4-340b", 340e9, "NVIDIA 2024 (Nemotron-4 340B Technical Report)"),
        ("qwen2.5-7b", 7.61e9, "Qwen Team 2024 (Qwen2.5 Technical Report) Table 1"),
        ("mistral-7b", 7_241_732_096, "Hugging Face mistralai/Mistral-7B-v0.1"),
        ("gpt-j-6b", 6_053_381_344, "Hugging Face EleutherAI/gpt-j-6b model card"),
        ("internlm-20b", 20e9, "Hugging Face internlm/internlm-20b model card: 20B"),
        ("falcon-180b", 180e9, "Hugging Face tiiuae/falcon-180B model card: 180B (178.6B counted, tied embeddings)"),
        ("qwen1.5-moe-a2.7b", 14.3e9, "Qwen Team 2024-03-28 (Qwen1.5-MoE): 14.3B total"),
        ("deepseek-v3", 671e9, "DeepSeek-AI 2024 (DeepSeek-V3 Technical Report): 671B total, MTP module excluded"),
        ("bert-large", 335_141_888, "Hugging Face BertModel bert-large-uncased (incl. pooler, not modelled: 0.3%)"),
        ("resnet-50", 25_557_032, "torchvision resnet50"),
        ("resnet-18", 11_689_512, "torchvision resnet18"),
        ("vgg-16", 138_357_544, "torchvision vgg16"),
        ("vit-b16", 86_567_656, "timm vit_base_patch16_224"),
    ]

    @Test(arguments: published.map(\.id))
    func parameterCountMatchesPublished(id: String) throws {
        let entry = Self.published.first { $0.id == id }!
        let model = try Fixtures.model(id)
        // Narayanan et al. print Table 1 sizes to 0.1B (1.65B is "1.7"): within 1% or that rounding.
        let rounding = entry.source.hasPrefix("Narayanan") ? 0.05e9 : 0
        let allowed = max(0.01 * entry.parameters, rounding)
        #expect(
            abs(model.parameterCount - entry.parameters) <= allowed,
            "\(id): \(model.parameterCount) vs \(entry.parameters) (\(entry.source))")
    }

    /// Shipped models Ridgeline refuses to load, with the field the refusal names.
    static let refused: [(id: String, field: String)] = []

    @Test func everyShippedModelIsCovered() throws {
        let ids = Set(try Fixtures.store().modelIds())
        #expect(ids == Set(Self.published.map(\.id)).union(Self.refused.map(\.id)))
    }

    /// Mixture-of-experts models against their published active parameters.
    @Test(arguments: [("mixtral-8x7b", 12.9e9), ("mixtral-8x22b", 39e9), ("qwen1.5-moe-a2.7b", 2.7e9), ("deepseek-v3", 37e9)])
    func activeParametersMatchPublished(id: String, active: Double) throws {
        let model = try Fixtures.model(id)
        #expect(abs(model.activeParameterCount - active) <= 0.02 * active, "\(id): \(model.activeParameterCount)")
    }

    @Test func llama3UsesGroupedQueryAttentionAndUntiedVocabulary() throws {
        let m = try Fixtures.transformer("llama3-8b")
        #expect(m.kvHeads == 8 && m.heads == 32 && m.ffnKind == .swiglu && m.norm == .rmsnorm && m.position == .rope)
        #expect(!m.tiedEmbeddings && m.vocab == 128_256)
    }

    @Test func badFieldNamesFileFieldAndValue() {
        let text =
            "name: x\nlayers: 2\nd_model: 64\nheads: 4\nffn: 256\nffn_kind: tanh\nnorm: layernorm\nvocab: 100\nmax_seq: 16\nposition: rope\n"
        #expect { try ModelDefinition.parse(text, file: "m.yaml") } throws: { error in
            let message = "\(error)"
            return message.contains("m.yaml") && message.contains("ffn_kind") && message.contains("tanh")
        }
    }

    @Test func unknownFieldIsRejected() {
        let text =
            "name: x\nlayers: 2\nd_model: 64\nheads: 4\nffn: 256\nffn_kind: gelu\nnorm: layernorm\nvocab: 100\nmax_seq: 16\nposition: rope\nlayer: 3\n"
        #expect(throws: RidgelineError.self) { try ModelDefinition.parse(text, file: "m.yaml") }
    }

    @Test func headsMustDivideWidth() {
        let text =
            "name: x\nlayers: 2\nd_model: 65\nheads: 4\nffn: 256\nffn_kind: gelu\nnorm: layernorm\nvocab: 100\nmax_seq: 16\nposition: rope\n"
        #expect { try ModelDefinition.parse(text, file: "m.yaml") } throws: { "\($0)".contains("heads") }
    }

    /// A CNN's convolutions and pools take PyTorch's padding (`pad`, default k/2): AlexNet's
    /// 11×11/4 stem with pad 2 and its unpadded 3/2 pool give 55 and 27 pixels, as torchvision's
    /// AlexNet has them.
    @Test func cnnLayersTakeTheirPadding() throws {
        let text = """
            name: alexnet-stem
            kind: cnn
            image: 224
            layers:
              - {conv: 64, kernel: 11, stride: 4, pad: 2}
              - {maxpool: 3, stride: 2, pad: 0}
              - {fc: 10}
            """
        guard case .cnn(let m) = try ModelDefinition.parse(text, file: "m.yaml") else {
            Issue.record("not a CNN")
            return
        }
        let afterConv = m.layers[0].output(channels: 3, size: 224)
        #expect(afterConv.size == 55)
        #expect(m.layers[1].output(channels: afterConv.channels, size: afterConv.size).size == 27)
        // The classifier flattens 64 channels of 27 × 27.
        #expect(m.parameterCount == Double(64 * 3 * 121 + 2 * 64 + 64 * 27 * 27 * 10 + 10))
    }

    /// A pool padded past half its window (PyTorch refuses it), and a window larger than its padded
    /// input (no output), are errors naming the file and the field.
    @Test(arguments: [
        "  - {maxpool: 3, stride: 2, pad: 2}\n",
        "  - {conv: 8, kernel: 11, stride: 4, pad: 0}\n  - {conv: 8, kernel: 5, stride: 1, pad: 0}\n",
    ])
    func cnnLayersThatCannotApplyAreRefused(layers: String) {
        let text = "name: x\nkind: cnn\nimage: 16\nlayers:\n" + layers + "  - {fc: 10}\n"
        #expect { try ModelDefinition.parse(text, file: "m.yaml") } throws: { error in
            let message = "\(error)"
            return message.contains("m.yaml") && (message.contains("pad") || message.contains("layers"))
        }
    }
}
