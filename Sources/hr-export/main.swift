import HRCLI

ExportCommand.main()
