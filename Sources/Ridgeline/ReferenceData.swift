import Foundation

/// The reference data the repository ships (`reference/`: the all-reduce tables, the published
/// training runs), found next to the `profiles/` directory the way `ProfileStore.locate` finds it.
public enum ReferenceData {
    /// `relative` (e.g. "training-runs/megatron-a100.csv") under the repository's `reference/`.
    public static func path(_ relative: String) throws -> String {
        let root = URL(fileURLWithPath: try ProfileStore.locate().root).deletingLastPathComponent()
        return root.appendingPathComponent("reference").appendingPathComponent(relative).path
    }
}
