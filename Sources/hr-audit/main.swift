import HRCLI

runMain(AuditCommand.self, tool: "hr-audit")
