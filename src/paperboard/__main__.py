from paperboard.cli import main

main(prog_name="paperboard")
