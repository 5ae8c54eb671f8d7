#!/usr/bin/env python
"""Run Django management commands for motcua."""

from motcua.manage import main

if __name__ == "__main__":
    main()
