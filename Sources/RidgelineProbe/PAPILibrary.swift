import CPAPI
import Foundation
import Ridgeline

/// The PAPI library, initialised once per process.
///
/// `PAPI_library_init` must run exactly once before any other call, and `PAPI_thread_init` before
/// event sets are made on more than one thread (PAPI User Guide, "Initialization of PAPI"). A
/// Swift global `let` is initialised lazily under `swift_once`, which makes the first use from any
/// thread the only initialisation.
public enum PAPILibrary {
    /// The version PAPI reports, e.g. "7.0.0.0".
    public static func version() throws -> String {
        let v = try initialized.get()
        return "\(v >> 24 & 0xff).\(v >> 16 & 0xff).\(v >> 8 & 0xff).\(v & 0xff)"
    }

    /// Throws the reason PAPI could not start, or returns.
    public static func ensureInitialized() throws { _ = try initialized.get() }

    private static let initialized: Result<Int32, RidgelineError> = {
        let v = PAPI_library_init(ridgeline_papi_ver_current())
        guard v == ridgeline_papi_ver_current() else {
            let reason =
                v > 0
                ? "header version \(ridgeline_papi_ver_current()) does not match library version \(v)"
                : errorString(v)
            return .failure(.unavailable(what: "PAPI", reason: "PAPI_library_init failed: \(reason)"))
        }
        let t = ridgeline_papi_thread_init()
        guard t == PAPI_OK else {
            return .failure(.unavailable(what: "PAPI", reason: "PAPI_thread_init failed: \(errorString(t))"))
        }
        return .success(v)
    }()

    /// PAPI's own message for an error code.
    public static func errorString(_ code: Int32) -> String {
        guard let text = PAPI_strerror(code) else { return "PAPI error \(code)" }
        return String(cString: text)
    }

    /// Components PAPI was built with and whether each is usable here.
    public static func components() throws -> [(name: String, enabled: Bool, reason: String)] {
        try ensureInitialized()
        return (0..<PAPI_num_components()).map { i in
            (
                String(cString: ridgeline_papi_component_name(i)), ridgeline_papi_component_disabled(i) == 0,
                String(cString: ridgeline_papi_component_disabled_reason(i))
            )
        }
    }

    /// Preset events (PAPI_*) that map to native events on this machine.
    public static func availablePresets() throws -> [String] {
        try ensureInitialized()
        var names: [String] = []
        var code = Int32(bitPattern: 0x8000_0000)  // PAPI_PRESET_MASK | 0: the first preset
        var buffer = [CChar](repeating: 0, count: Int(PAPI_MAX_STR_LEN))
        guard PAPI_enum_event(&code, Int32(PAPI_ENUM_FIRST)) == PAPI_OK else { return [] }
        repeat {
            if ridgeline_papi_preset_native_count(code) > 0, PAPI_event_code_to_name(code, &buffer) == PAPI_OK {
                names.append(String(cBuffer: buffer))
            }
        } while PAPI_enum_event(&code, Int32(PAPI_PRESET_ENUM_AVAIL)) == PAPI_OK
        return names
    }
}

extension String {
    /// A NUL-terminated C string held in a fixed buffer.
    init(cBuffer buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}

extension PAPILibrary {
    /// PAPI's own words (`disabled_reason`, verbatim) when its perf_event component — the one
    /// that counts CPU and kernel software events — is disabled; nil when it is enabled or PAPI
    /// does not start.
    public static func perfEventDisabledReason() -> String? {
        guard let component = try? components().first(where: { $0.name == "perf_event" }), !component.enabled else { return nil }
        return component.reason
    }
}
