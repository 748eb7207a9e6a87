import HRCLI

ArchiveCommand.main()
