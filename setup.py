"""The top-level resources/ folder ships inside the package as `copilot.resources`.

Everything else lives in pyproject.toml; this file only maps that folder, which pyproject's
static tables cannot combine with package discovery.
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["copilot", "copilot.*"]) + ["copilot.resources"],
    package_dir={"copilot.resources": "resources"},
    package_data={"copilot.resources": ["**/*"]},
)
