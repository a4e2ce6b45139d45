"""`python -m migrate` runs the `b24migrate` command line."""

from migrate.cli import main

if __name__ == "__main__":
    main()
