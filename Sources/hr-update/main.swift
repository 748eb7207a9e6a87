import HRCLI

UpdateCommand.main()
