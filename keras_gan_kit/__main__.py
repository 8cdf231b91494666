"""`python -m keras_gan_kit` runs the `keras-gan-kit` command."""

import sys

from keras_gan_kit.cli import main

if __name__ == "__main__":
    sys.exit(main())
