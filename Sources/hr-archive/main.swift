import HRCLI

runMain(ArchiveCommand.self, tool: "hr-archive")
