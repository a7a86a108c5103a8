"""Ships the top-level scenarios/ and rubrics/ inside the wheel as trainer._bundled.*.

They live outside the code in a checkout (data is not code), but an installed,
non-editable wheel must still find them; trainer.paths looks in both places.
"""

from setuptools import find_packages, setup

BUNDLED = {"trainer._bundled.scenarios": "scenarios", "trainer._bundled.rubrics": "rubrics"}

setup(
    packages=find_packages(include=["trainer", "trainer.*"]) + list(BUNDLED),
    package_dir=BUNDLED,
    package_data={
        "trainer": ["schemas/*.json", "tui/*.tcss", "data/*", "scoring/data/*.npz"],
        **{name: ["*.yaml", "*.yml", "**/*.yaml"] for name in BUNDLED},
    },
)
