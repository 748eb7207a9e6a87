import HRCLI

AuditCommand.main()
