import Foundation
import Ridgeline
import RidgelineTraining
import Testing

@testable import RidgelineRuns

/// `check-runs --json` and `check-serving --json` are one record each: what the checks write
/// reads back equal, with the keys scripts read.
@Suite struct CheckRecordTests {
    @Test func checkRunsReadsBackAsWritten() throws {
        let file = try PublishedRuns.load(path: try DataRoot.locate().reference("training-runs/megatron-a100.csv"))
        let check = try RunCheck(file, profile: ProfileStore.locate().hardware)
        for verbose in [false, true] {
            let record = CheckRunsRecord([check], verbose: verbose)
            let text = try RecordCoding.json(record)
            #expect(try RecordCoding.decode(CheckRunsRecord.self, from: text, file: "runs.json") == record)
            for key in [
                "\"n\"", "\"refused\"", "\"mean_ape\"", "\"median_ape\"", "\"p90_ape\"", "\"bias\"", "\"run_id\"", "\"refusal_reasons\"",
            ] {
                #expect(text.contains(key), "\(key)")
            }
            #expect(text.contains("\"measured_step_s\"") && text.contains("\"exposed_communication\""))
            #expect((record.sources[0].refused != nil) == verbose)
        }
        // A group with no predicted run has no error figures: null, read back as NaN.
        let empty = RunErrorSummary(errors: [], refused: 3)
        let text = try RecordCoding.json(empty)
        #expect(text.contains("\"median_ape\" : null"))
        let back = try RecordCoding.decode(RunErrorSummary.self, from: text, file: "s.json")
        #expect(back.count == 0 && back.refused == 3 && back.medianAPE.isNaN && back.bias.isNaN)
    }

    @Test func checkServingReadsBackWithItsKeysAsTheyHaveAlwaysBeen() throws {
        let outcome = try ServingCheck.run(
            files: [try DataRoot.locate().reference("inference/lmdeploy-a100.csv")], store: ProfileStore.locate())
        #expect(!outcome.groups.isEmpty && !outcome.rows.isEmpty)
        let text = try RecordCoding.json(outcome)
        #expect(try RecordCoding.decode(ServingCheck.Outcome.self, from: text, file: "serving.json") == outcome)
        for key in ["medianAPE", "p90APE", "meanAPE", "signedMedian", "refused", "error", "measured", "predicted"] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        #expect(!text.contains("median_ape"))
        // A group without figures is written with nulls and read back as NaN, its keys unchanged.
        let empty = ServingCheck.Group(
            kind: "throughput", metric: "output_tokens_per_s", n: 0, medianAPE: .nan, p90APE: .nan, meanAPE: .nan, signedMedian: .nan,
            refused: 2)
        let groupText = try RecordCoding.json(empty)
        #expect(groupText.contains("\"medianAPE\" : null") && groupText.contains("\"signedMedian\" : null"))
        let back = try RecordCoding.decode(ServingCheck.Group.self, from: groupText, file: "group.json")
        #expect(back.kind == "throughput" && back.n == 0 && back.refused == 2)
        #expect(back.medianAPE.isNaN && back.p90APE.isNaN && back.meanAPE.isNaN && back.signedMedian.isNaN)
    }
}
