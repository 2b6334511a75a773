import Foundation
import Testing
import Ridgeline

@Suite struct AtomicWriteTests {
    @Test func replacesAnExistingFileAndLeavesNoTemporary() throws {
        let dir = NSTemporaryDirectory() + "ridgeline-atomic-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: dir)
        let path = dir + "/nested/file.txt"
        try writeFileAtomically("first", to: path)
        try writeFileAtomically("second", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/nested") == ["file.txt"])
    }

    @Test func anUnwritableDirectoryIsAClearError() throws {
        #expect(throws: RidgelineError.self) { try writeFileAtomically("x", to: "/proc/ridgeline-cannot-write/file.txt") }
    }
}
