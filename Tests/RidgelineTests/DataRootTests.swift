import Foundation
import Ridgeline
import Testing

/// The data folder is found from the clone the tests run in, and input files fail with what is wrong.
@Suite struct DataRootTests {
    @Test func theCloneIsTheDataRootAndHoldsTheReferenceData() throws {
        let root = try DataRoot.locate()
        #expect(URL(fileURLWithPath: root.path).standardized.path == URL(fileURLWithPath: repositoryRoot).standardized.path)
        for file in ["training-runs/megatron-a100.csv", "gpu-measurements/h100-sxm5-kernels.jsonl", "README.md"] {
            #expect(FileManager.default.fileExists(atPath: root.reference(file)), "\(file)")
        }
        #expect(FileManager.default.fileExists(atPath: root.script("torch_engine.py")))
    }

    @Test func inputFilesFailNamingTheProblem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-textinput-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let latin1 = directory + "/latin1.jsonl"
        try Data([0x7B, 0xE9, 0x7D, 0x0A]).write(to: URL(fileURLWithPath: latin1))
        #expect(ridgelineErrorMessage { _ = try TextInput(path: directory) } == "\(directory): cannot be read: it is a directory")
        #expect(ridgelineErrorMessage { _ = try TextInput(path: directory + "/none") } == "\(directory)/none: no such file")
        #expect(ridgelineErrorMessage { _ = try TextInput(path: latin1) } == "\(latin1): cannot be read: not UTF-8 text")
        let text = "{\"op\":\"copy\",\"elements\":8,\"dtype\":\"fp32\"}\n"
        try text.write(toFile: directory + "/k.jsonl", atomically: true, encoding: .utf8)
        let input = try TextInput(path: directory + "/k.jsonl")
        #expect(input.text == text && input.name == directory + "/k.jsonl")
    }
}
