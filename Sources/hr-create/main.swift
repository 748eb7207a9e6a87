import HRCLI

runMain(CreateCommand.self, tool: "hr-create")
