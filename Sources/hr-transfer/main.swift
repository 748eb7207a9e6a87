import HRCLI

TransferCommand.main()
