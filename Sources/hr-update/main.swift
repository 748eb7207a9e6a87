import HRCLI

runMain(UpdateCommand.self, tool: "hr-update")
