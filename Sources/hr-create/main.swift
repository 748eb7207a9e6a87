import HRCLI

CreateCommand.main()
