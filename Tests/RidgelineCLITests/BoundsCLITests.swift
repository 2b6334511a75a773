import Foundation
import Testing

/// The hostile run's integer-overflow traps (exit 132) and unbounded numbers: each is now an error
/// naming the flag, with a non-zero exit and no crash.
@Suite struct BoundsCLITests {
    static let train = ["train", "--model", "gpt2-124m", "--hardware", "h100-sxm5-80gb"]
    static let plan = ["plan", "--model", "gpt2-124m", "--hardware", "h100-sxm5-80gb"]
    static let compare = ["compare", "--hardware", "h100-sxm5-80gb,a100-sxm4-80gb", "--model", "gpt2-124m"]
    static let serve = ["serve", "--model", "llama3.1-8b", "--hardware", "h100-sxm5-80gb", "--input-tokens", "100"]

    static let cases: [([String], String)] = [
        (train + ["--gpus", "9223372036854775807"], "--gpus"),
        (serve + ["--output-tokens", "-5", "--batch", "8"], "--output-tokens"),
        (serve + ["--output-tokens", "10", "--rate", "1e308"], "--rate"),
        (serve + ["--output-tokens", "10", "--batch", "9223372036854775807"], "--batch"),
        (serve + ["--output-tokens", "10", "--batch", "8", "--tp", "4611686018427387904", "--pp", "4"], "--tp"),
        (plan + ["--serve", "--input-tokens", "100", "--output-tokens", "10", "--rate", "1e300"], "--rate"),
        (train + ["--micro-batch", "4611686018427387904"], "--micro-batch"),
        (train + ["--micro-batch", "1000000000000"], "--micro-batch"),
        (plan + ["--global-batch", "9223372036854775807"], "--global-batch"),
        (compare + ["--gpus", "4611686018427387904"], "--gpus"),
        (compare + ["--micro-batch", "9223372036854775807"], "--micro-batch"),
        (train + ["--tp", "9223372036854775807"], "--tp"),
        (train + ["--pp", "4611686018427387904"], "--pp"),
        (train + ["--dp", "9223372036854775807"], "--dp"),
        (train + ["--cp", "9223372036854775807"], "--cp"),
        (train + ["--ep", "9223372036854775807"], "--ep"),
        (train + ["--etp", "9223372036854775807"], "--etp"),
        (train + ["--vp", "9223372036854775807"], "--vp"),
        (train + ["--seq", "9223372036854775807"], "--seq"),
        (train + ["--global-batch", "9223372036854775807"], "--global-batch"),
        (train + ["--layers", "9223372036854775807"], "--layers"),
        (train + ["--finetune", "lora", "--lora-rank", "9223372036854775807"], "--lora-rank"),
        (train + ["--pp", "2", "--first-stage-layers", "9223372036854775807"], "--first-stage-layers"),
        (train + ["--pp", "2", "--last-stage-layers", "-9223372036854775808"], "--last-stage-layers"),
        (train + ["--tp", "1048576", "--pp", "1048576", "--cp", "1048576", "--dp", "1048576"], "tp·pp·cp·dp"),
        (train + ["--micro-batch", "65536", "--seq", "4194304"], "--micro-batch"),
        (train + ["--tokens", "1e300"], "--tokens"),
        (train + ["--tokens", "-5"], "--tokens"),
        (train + ["--price", "1e308"], "--price"),
        (train + ["--price", "-1"], "--price"),
        (plan + ["--max-devices", "9223372036854775807"], "--max-devices"),
        (plan + ["--top", "9223372036854775807"], "--top"),
        (plan + ["--global-batch-range", "1:9223372036854775807"], "--global-batch-range"),
        (plan + ["--tokens", "-5"], "--tokens"),
        (compare + ["--tokens", "1e300"], "--tokens"),
        (compare + ["--seq", "-1"], "--seq"),
    ]

    @Test(arguments: cases)
    func aHugeOrNegativeCountIsAnErrorNamingTheFlag(arguments: [String], flag: String) throws {
        let r = try ridgeline(arguments)
        #expect(r.status == 1 || r.status == 64, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains(flag), "\(r.stderr)")
        #expect(!r.stderr.contains("Missing value") && !r.stderr.contains("Fatal error"), "\(r.stderr)")
    }

    @Test func helpStatesTheBounds() throws {
        let r = try ridgeline(["train", "--help"])
        #expect(r.stdout.contains("1 to 1048576") && r.stdout.contains("1 to 65536") && r.stdout.contains("at most 1e18"), "\(r.stdout)")
    }

    @Test func kernelsWithWindowsLineEndsParse() throws {
        let lf = try String(contentsOfFile: repositoryRoot + "/examples/kernels.jsonl", encoding: .utf8)
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernels", "-", "--json"], input: lf)
        let b = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernels", "-", "--json"], input: crlf)
        #expect(b.status == 0, "\(b.stderr)")
        #expect(a.stdout == b.stdout)
        let bad = try ridgeline(
            ["predict", "--hardware", "h100-sxm5-80gb", "--kernels", "-"],
            input: "{\"op\":\"copy\",\"elements\":8,\"dtype\":\"fp32\"}\r\n{\"op\":\"copy\",\"elements\":\"eight\",\"dtype\":\"fp32\"}\r\n")
        #expect(bad.stderr.contains("standard input:2: field 'elements' has value 'eight'"), "\(bad.stderr)")
    }
}
