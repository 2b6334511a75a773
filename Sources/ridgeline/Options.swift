import ArgumentParser
import Foundation
import Ridgeline

/// `--hardware ID|FILE`, resolved through the profile store.
struct HardwareOption: ParsableArguments {
    @Option(name: .long, help: "Hardware profile id (see `ridgeline profiles`) or path to a YAML profile.")
    var hardware: String

    func load() throws -> HardwareProfile {
        try detectHostIfMissing(hardware)
        return try ProfileStore.locate().hardware(hardware)
    }
}

/// Prints an Encodable as pretty, key-sorted JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
