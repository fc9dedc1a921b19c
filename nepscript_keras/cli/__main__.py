"""`python -m nepscript_keras.cli`: the same command line as the `nepscript-keras` console script."""

import sys

from nepscript_keras.cli import main

sys.exit(main())
