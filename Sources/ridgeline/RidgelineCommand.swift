import ArgumentParser
import Ridgeline

/// `ridgeline`: each job is its own small subcommand that parses flags, validates them, and calls
/// the library (the shape swift-argument-parser's own tools use).
@main
struct RidgelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ridgeline",
        abstract: "Predict, measure and compare the performance of neural-network training on CPUs and GPUs.",
        version: ridgelineVersion,
        subcommands: [
            ProfilesCommand.self, ShowCommand.self, PredictCommand.self, CheckReferenceCommand.self, TrainCommand.self,
            CheckMegatronCommand.self, CheckRunsCommand.self, PlanCommand.self, ServeCommand.self, CheckServingCommand.self,
            DetectCommand.self, CountersCommand.self,
            MeasureCommand.self, ValidateCommand.self, CalibrateCommand.self, CalibrateNetworkCommand.self,
            CompareCommand.self, ReportCommand.self,
        ])
}
