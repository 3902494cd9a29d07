"""Compile `sigv1_commitment.c` into `swap/core/_sigv1_native<EXT_SUFFIX>` with the system C compiler.

Why a script and not setuptools: the service is not an installed package, and this is one C file
with no dependencies beyond Python's headers, so the compiler line is all there is. `make install`
runs it; it rebuilds only when the C sources (or this script, which holds the flags) are newer
than the built module. `oxen_signature` falls back to libsodium when the module is absent, so outside
CI a failed build only costs speed; under `CI` the Makefile turns a failure into a failed run.

Run: `.venv/bin/python swap/core/native/build.py [--force]`. Exit status 0 when the module is up
to date or was built, 1 when the build failed (the compiler's output is shown).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "sigv1_commitment.c"
MODULE_NAME = "_sigv1_native"
FLAGS = ["-O3", "-std=gnu11", "-fPIC", "-shared", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wshadow"]


def module_path() -> Path:
    """Where Python will import `swap.core._sigv1_native` from, for this interpreter."""
    return HERE.parent / (MODULE_NAME + str(sysconfig.get_config_var("EXT_SUFFIX")))


def is_stale(target: Path) -> bool:
    """True when the module is missing or older than its sources (.c, .h) or its build flags (here)."""
    if not target.exists():
        return True
    built = target.stat().st_mtime
    inputs = [*HERE.glob("*.c"), *HERE.glob("*.h"), Path(__file__).resolve()]
    return any(path.stat().st_mtime > built for path in inputs)


def compiler() -> list[str]:
    """`$CC`, else the compiler this Python was built with if this machine has it, else `cc`.

    A prebuilt Python may name the compiler of the machine it was built on; `$CC` and the
    configured value may carry flags (e.g. "gcc -pthread").
    """
    if os.environ.get("CC"):
        return shlex.split(os.environ["CC"])
    configured = shlex.split(str(sysconfig.get_config_var("CC") or ""))
    if configured and shutil.which(configured[0]):
        return configured
    return ["cc"]


def compile_command(output: Path) -> list[str]:
    include = sysconfig.get_paths()["include"]
    platform_include = sysconfig.get_paths()["platinclude"]
    command = [*compiler(), *FLAGS, f"-I{include}"]
    if platform_include != include:
        command.append(f"-I{platform_include}")
    if sys.platform == "darwin":  # extension modules resolve the interpreter's symbols at load time
        command += ["-undefined", "dynamic_lookup"]
    return [*command, str(SOURCE), "-o", str(output)]


def build(target: Path) -> bool:
    """Compile into a temporary file beside the target, then rename it into place.

    The rename is atomic, so a test run importing the module meanwhile sees the old file or the
    new one, never half of one. A failed build removes the old module: it was built from an older
    source, and the libsodium fallback is known to be right.
    """
    handle, temporary_name = tempfile.mkstemp(prefix=f".{MODULE_NAME}-", suffix=".building", dir=target.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    command = compile_command(temporary)
    print(" ".join(shlex.quote(part) for part in command))
    try:
        result = subprocess.run(command, check=False)
        if result.returncode == 0:
            temporary.chmod(0o755)  # mkstemp made it private; an imported module must be readable
            os.replace(temporary, target)
            return True
        print(f"build.py: the compiler failed (exit status {result.returncode})", file=sys.stderr)
    except OSError as error:  # no compiler at all, or the directory is not writable
        print(f"build.py: {error}", file=sys.stderr)
    finally:
        temporary.unlink(missing_ok=True)
    if target.exists():
        target.unlink()
        print(f"build.py: removed the out-of-date {target.name}", file=sys.stderr)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--force", action="store_true", help="rebuild even when the module is up to date")
    force = parser.parse_args(argv).force
    target = module_path()
    if not force and not is_stale(target):
        print(f"{target.relative_to(HERE.parents[2])} is up to date")
        return 0
    return 0 if build(target) else 1


if __name__ == "__main__":
    sys.exit(main())
