"""Checks the built sdist and wheel hold what a user needs: .ci/run calls it.

Usage: python .ci/check_dist.py DIST_DIR

The wheel must carry the license text, the `py.typed` marker, the bundled digits and
their attribution, and an SPDX `License-Expression`; the sdist must carry the license
text too. Exits 1 with one line per missing piece.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

WHEEL_FILES = (
    "keras_gan_kit/py.typed",
    "keras_gan_kit/datasets/data/digits.npz",
    "keras_gan_kit/datasets/data/README.md",
)


def main(dist_dir: str) -> int:
    dist = Path(dist_dir)
    wheels = sorted(dist.glob("keras_gan_kit-*.whl"))
    sdists = sorted(dist.glob("keras_gan_kit-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"expected one wheel and one sdist in {dist}, found {wheels + sdists}")
        return 1
    problems = []
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
        problems += [f"wheel lacks {name}" for name in WHEEL_FILES if name not in names]
        if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
            problems.append("wheel lacks the LICENSE (dist-info/licenses/LICENSE)")
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(wheel.read(metadata_name).decode())
        if metadata.get("License-Expression") != "Apache-2.0":
            problems.append(
                f"wheel METADATA License-Expression is {metadata.get('License-Expression')!r}"
            )
    with tarfile.open(sdists[0]) as sdist:
        top = sdists[0].name[: -len(".tar.gz")]
        if f"{top}/LICENSE" not in sdist.getnames():
            problems.append("sdist lacks LICENSE")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{wheels[0].name} and {sdists[0].name}: LICENSE, py.typed and data present")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
