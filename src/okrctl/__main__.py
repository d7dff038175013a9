from okrctl.cli import main

main()
