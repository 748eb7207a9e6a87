import HRCLI

runMain(ExportCommand.self, tool: "hr-export")
