from okrctl.cli.main import main

main()
