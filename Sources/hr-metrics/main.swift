import HRCLI

runMain(MetricsCommand.self, tool: "hr-metrics")
