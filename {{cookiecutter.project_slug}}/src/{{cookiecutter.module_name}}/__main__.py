"""Allow `python -m <package>`, the same as the console script."""

from .cli.app import main

if __name__ == "__main__":
    main()
