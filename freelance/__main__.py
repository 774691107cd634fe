from freelance.cli import main

main()
