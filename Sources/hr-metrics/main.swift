import HRCLI

MetricsCommand.main()
