import Foundation
import Ridgeline

/// `make bench`: the measured figures Ridgeline promises, side by side with the references they
/// are judged against, in one run. `--only NAME[,NAME]` runs some sections; `--list` names them.
let sections: [BenchSection] = [
    DetectSection(),
    StreamSection(),
    PeakSection(),
    CalibrationSection(),
    StepModelSection(),
    PlanSection(),
    CollectivesSection(),
    CheckRunsSection(),
    ServingSection(),
    TransferSection(),
    ScaleSection(),
]

/// The capacity planner's search (`PlanBench.swift`), which prints its own lines.
struct PlanSection: BenchSection {
    let name = "plan"
    let summary = "ridgeline plan search speed"
    func run(_ context: BenchContext) throws -> [BenchFigure] {
        try benchPlan()
        return []
    }
}

/// The training step model's throughput (`StepModelBench.swift`), which prints its own line.
struct StepModelSection: BenchSection {
    let name = "step-model"
    let summary = "StepModel.evaluate throughput, one core"
    func run(_ context: BenchContext) throws -> [BenchFigure] {
        try benchStepModel()
        return []
    }
}

var only: Set<String>?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--only":
        guard let names = arguments.popFirst() else {
            fatalErrorExit("--only needs a section name (\(sections.map(\.name).joined(separator: ", ")))")
        }
        only = Set(names.split(separator: ",").map(String.init))
        if let unknown = only!.first(where: { name in !sections.contains { $0.name == name } }) {
            fatalErrorExit("unknown section '\(unknown)'; sections: \(sections.map(\.name).joined(separator: ", "))")
        }
    case "--list":
        for s in sections { print("\(s.name)\t\(s.summary)") }
        exit(0)
    case "-h", "--help":
        print("usage: ridgeline-bench [--only SECTION[,SECTION]] [--list]")
        exit(0)
    default:
        fatalErrorExit("unknown argument '\(argument)'; usage: ridgeline-bench [--only SECTION[,SECTION]] [--list]")
    }
}

func fatalErrorExit(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ridgeline-bench: \(message)\n".utf8))
    exit(2)
}

let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let context = BenchContext(productsDirectory: products)
var table = TextTable(["section", "figure", "value", "target", "result"])
var failures = 0
for section in sections where only?.contains(section.name) ?? true {
    let start = Date()
    do {
        for figure in try section.run(context) {
            table.add([
                section.name, figure.name, figure.value, figure.target,
                figure.pass.map { $0 ? "PASS" : "FAIL" } ?? "",
            ])
            if figure.pass == false { failures += 1 }
        }
    } catch {
        table.add([section.name, "error", "\(error)", "", "FAIL"])
        failures += 1
    }
    benchProgressDone()
    table.add([section.name, "section time", "\(formatSignificant(Date().timeIntervalSince(start), digits: 3)) s", "", ""])
}
print(table.render())
print(failures == 0 ? "\nall targets met" : "\n\(failures) target(s) missed")
exit(failures == 0 ? 0 : 1)
