"""The native SigV1 commitment (`swap/core/native/sigv1_commitment.c`) built into the verifier's wheel.

Everything else is declared in `pyproject.toml`; setuptools takes compiled extensions only from
here. The extension is optional: without a C compiler the wheel still installs, and
`swap.core.oxen_signature` falls back to libsodium (the same answers, about twice as slow on
50,000 registrations). The flags are `swap/core/native/build.py`'s, which builds the same file
for the service.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("swap.core._sigv1_native", sources=["../swap/core/native/sigv1_commitment.c"],
                             extra_compile_args=["-O3", "-std=gnu11", "-fvisibility=hidden"], optional=True)])
