"""``python -m nkroutes``: the command line."""

from nkroutes.cli import entry_point

if __name__ == "__main__":
    entry_point()
