import HRCLI

runMain(TransferCommand.self, tool: "hr-transfer")
