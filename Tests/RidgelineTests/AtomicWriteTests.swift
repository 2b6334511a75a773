import Foundation
import Ridgeline
import Testing

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

    static func scratch(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "ridgeline-output-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aSymbolicLinkIsFollowedNotReplaced() throws {
        let dir = Self.scratch("link")
        try writeFileAtomically("old", to: dir + "/real.yaml")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.yaml", withDestinationPath: "real.yaml")
        try writeFileAtomically("new", to: dir + "/link.yaml")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.yaml") == "real.yaml")
        #expect(try String(contentsOfFile: dir + "/real.yaml", encoding: .utf8) == "new")
    }

    @Test func aCharacterDeviceIsWrittenIntoNeverReplaced() throws {
        // Asserted before writing: a regression must not replace /dev/null on the test machine.
        let target = try OutputTarget("/dev/null")
        try #require(target.isStream)
        try writeFileAtomically("discarded", to: "/dev/null")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    @Test func aDirectoryIsRefusedByName() throws {
        let dir = Self.scratch("directory")
        #expect(throws: RidgelineError.unwritable(file: dir, reason: "it is a directory; name a file")) {
            try writeFileAtomically("x", to: dir)
        }
    }

    @Test func aProtectedDirectoryIsRefusedEvenThroughALink() throws {
        let dir = Self.scratch("protected")
        let shipped = dir + "/profiles/hardware"
        try FileManager.default.createDirectory(atPath: shipped, withIntermediateDirectories: true)
        try writeFileAtomically("shipped", to: shipped + "/gpu.yaml")
        try FileManager.default.createSymbolicLink(atPath: dir + "/alias", withDestinationPath: shipped)
        try FileManager.default.createSymbolicLink(atPath: dir + "/alias.yaml", withDestinationPath: shipped + "/gpu.yaml")
        for path in [
            shipped + "/gpu.yaml", shipped + "/new.yaml", dir + "/alias/gpu.yaml", dir + "/alias.yaml",
            dir + "/profiles/../profiles/hardware/gpu.yaml",
        ] {
            #expect(throws: RidgelineError.self, "\(path)") { try writeFileAtomically("overwritten", to: path, protected: [shipped]) }
        }
        #expect(try String(contentsOfFile: shipped + "/gpu.yaml", encoding: .utf8) == "shipped")
        try writeFileAtomically("copy", to: dir + "/copy.yaml", protected: [shipped])
    }
}
