"""``python -m nkroutes``: the command line."""

from nkroutes.cli import main

if __name__ == "__main__":
    main(prog_name="nkroutes")
