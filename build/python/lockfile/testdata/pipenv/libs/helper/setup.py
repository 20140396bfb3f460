from setuptools import setup

setup(name="helper", version="0.2.0", packages=["helper"], install_requires=["itsdangerous"])
