# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   rosetta:
#     no_equivalence_check: it prints what each installed package reports about itself; there is no computation
#       to compare
# ---

# %% [markdown]
# # Installation, versions and platforms
#
# What each framework reports about itself once installed: its version and how it was built,
# which devices it can see on this machine, the licence its wheel declares, and how it tells you
# that an API you call is on its way out. Everything printed comes from the packages installed on
# the Linux machine that built this site, which are CPU-only builds (`torch` 2.13.0+cpu,
# `tensorflow-cpu` 2.21.0 with Keras 3.15.1, and `jax`/`jaxlib` 0.10.2 without a GPU plugin); GPU
# builds on a GPU machine print other devices and build details.
#
# Installing differs too. PyTorch's [get-started page](https://pytorch.org/get-started/locally/)
# builds the `pip` command from a selector of operating system and compute platform (CUDA, ROCm or
# CPU), because the build is chosen at install time and the CPU and CUDA wheels are separate
# downloads. TensorFlow's [pip guide](https://www.tensorflow.org/install/pip) installs one package,
# `tensorflow` (or `tensorflow-cpu` for the CPU-only build, as here), with `tensorflow[and-cuda]`
# adding NVIDIA libraries on Linux; the guide states that TensorFlow 2.10 was the last release
# with GPU support on native Windows (WSL2 is the route since 2.11) and that Linux Arm64 and
# Windows CPU builds have been built by AWS and Intel respectively since 2.10. JAX's
# [installation page](https://docs.jax.dev/en/latest/installation.html) installs `jax` with
# `jaxlib` for the CPU and adds accelerators through extras such as `jax[cuda13]` or `jax[tpu]`;
# its platform table (read in the repository's `docs/installation.md`, August 2026, after JAX
# 0.11.0) lists CPU support on Linux x86-64 and aarch64, Apple-silicon macOS, Windows x86-64 and
# WSL2, with the native Windows wheels marked experimental.

# %%
import importlib.metadata
import logging
import platform
import warnings

import numpy as np
import torch
import tensorflow as tf
import keras
import jax
import jax.numpy as jnp

print("Python", platform.python_version(), "on", platform.system(), platform.machine())

# %% [markdown]
# ## Version and build
#
# Each framework exposes its version as a string, plus build details: PyTorch through
# `torch.version` and `torch.__config__.show()`
# ([reference](https://docs.pytorch.org/docs/stable/config_mod.html)); TensorFlow through
# `tf.version` and [`tf.sysconfig.get_build_info()`](https://www.tensorflow.org/api_docs/python/tf/sysconfig/get_build_info),
# whose keys the documentation says may change between versions and platforms; JAX through
# `jax.__version__`, `jaxlib.__version__` and `jax.print_environment_info()`, which also prints
# NumPy's and Python's versions and the devices found. The `+cpu` suffix of PyTorch's version is
# the local version label of its CPU-only wheel, and `torch.version.cuda` is `None` in such a build.

# %% tags=["pytorch", "installed-version"]
print("torch.__version__:", torch.__version__)
print("torch.version.cuda:", torch.version.cuda)  # None: a CPU-only build
print("torch.version.git_version:", torch.version.git_version)
build = torch.__config__.show().splitlines()
print("\n".join(line for line in build[:10] if not line.lstrip().startswith("- Build settings")))

# %% tags=["tensorflow", "installed-version"]
print("tf.version.VERSION:", tf.version.VERSION)
print("tf.version.GIT_VERSION:", tf.version.GIT_VERSION)
print("tf.version.COMPILER_VERSION:", tf.version.COMPILER_VERSION)
print("tf.sysconfig.get_build_info():", dict(tf.sysconfig.get_build_info()))
print("keras.version():", keras.version(), "| backend:", keras.backend.backend())

# %% tags=["jax", "installed-version"]
import jaxlib

print("jax.__version__:", jax.__version__, "| jaxlib.__version__:", jaxlib.__version__)
jax.print_environment_info()

# %% [markdown]
# ## Devices this machine offers
#
# PyTorch asks one backend at a time (`torch.cuda`, `torch.backends.mps`, `torch.xpu`) or the
# generic [`torch.accelerator`](https://docs.pytorch.org/docs/stable/generated/torch.accelerator.is_available.html)
# API; CPU threads come from `torch.get_num_threads()`. TensorFlow lists every device it found with
# [`tf.config.list_physical_devices`](https://www.tensorflow.org/api_docs/python/tf/config/list_physical_devices).
# JAX returns the devices of its default backend with
# [`jax.devices()`](https://docs.jax.dev/en/latest/_autosummary/jax.devices.html), which picks a
# GPU or TPU backend when one is available and the CPU otherwise.

# %% tags=["pytorch", "available-devices"]
print("torch.cuda.is_available():", torch.cuda.is_available())
print("torch.backends.mps.is_available():", torch.backends.mps.is_available())
print("torch.xpu.is_available():", torch.xpu.is_available())
print("torch.accelerator.is_available():", torch.accelerator.is_available())
print("torch.get_num_threads():", torch.get_num_threads())

# %% tags=["tensorflow", "available-devices"]
print("tf.config.list_physical_devices():", tf.config.list_physical_devices())
print("GPUs:", tf.config.list_physical_devices("GPU"))
print("tf.test.is_built_with_cuda():", tf.test.is_built_with_cuda())
print("intra-op threads:", tf.config.threading.get_intra_op_parallelism_threads(), "(0 means TensorFlow chooses)")

# %% tags=["jax", "available-devices"]
print("jax.devices():", jax.devices())
print("jax.default_backend():", jax.default_backend())
print("jax.device_count():", jax.device_count())
device = jax.devices()[0]
print("platform:", device.platform, "| device_kind:", device.device_kind)

# %%
# CPU-only builds, as the introduction says.
assert torch.version.cuda is None and not tf.test.is_built_with_cuda() and jax.default_backend() == "cpu"

# %% [markdown]
# ## Declared licence
#
# A wheel's metadata says which licence it is distributed under, in the newer `License-Expression`
# field (an SPDX expression) or the older `License` field and `License ::` classifiers, and lists
# the licence files it ships (`License-File`). [PEP 639](https://peps.python.org/pep-0639/)
# introduced `License-Expression` and deprecates the older two. Read with
# [`importlib.metadata`](https://docs.python.org/3/library/importlib.metadata.html), this is what
# the installed wheels say — a declaration by whoever built the wheel, which covers bundled third-party
# code as well; the projects' own licence texts are the `LICENSE` files in their repositories:
# [PyTorch](https://github.com/pytorch/pytorch/blob/main/LICENSE) (BSD-3-Clause),
# [TensorFlow](https://github.com/tensorflow/tensorflow/blob/master/LICENSE),
# [Keras](https://github.com/keras-team/keras/blob/master/LICENSE) and
# [JAX](https://github.com/jax-ml/jax/blob/main/LICENSE) (Apache 2.0).

# %% tags=["pytorch", "licence-metadata"]
from importlib.metadata import metadata

meta = metadata("torch")
print("torch", meta["Version"])
print("  License-Expression:", meta.get("License-Expression"))
print("  License:", meta.get("License"))
print("  License classifiers:", [c for c in meta.get_all("Classifier", []) if c.startswith("License")])
print("  License-File entries:", len(meta.get_all("License-File", [])), "(PyTorch's own and bundled libraries')")

# %% tags=["tensorflow", "licence-metadata"]
from importlib.metadata import metadata

for name in ("tensorflow-cpu", "keras"):
    meta = metadata(name)
    print(name, meta["Version"])
    print("  License-Expression:", meta.get("License-Expression"))
    print("  License:", meta.get("License"))
    print("  License classifiers:", [c for c in meta.get_all("Classifier", []) if c.startswith("License")])

# %% tags=["jax", "licence-metadata"]
from importlib.metadata import metadata

for name in ("jax", "jaxlib"):
    meta = metadata(name)
    print(name, meta["Version"])
    print("  License-Expression:", meta.get("License-Expression"))
    print("  License:", meta.get("License"))
    print("  License classifiers:", [c for c in meta.get_all("Classifier", []) if c.startswith("License")])

# %% [markdown]
# The same metadata states which Python versions each wheel accepts (`Requires-Python`) and which
# it was published for (the `Programming Language :: Python ::` classifiers). These lines are the
# installed releases' own statement; the install pages above describe the latest release at the
# time they were read. JAX also publishes a [version support policy](https://docs.jax.dev/en/latest/deprecation.html):
# every Python feature release of the 45 months before a JAX release is supported, nine months
# longer than the SPEC 0 recommendation it otherwise follows for NumPy and SciPy.

# %%
for name in ("torch", "tensorflow-cpu", "keras", "jax", "jaxlib"):
    meta = importlib.metadata.metadata(name)
    pythons = [c.rsplit(" :: ", 1)[1] for c in meta.get_all("Classifier", [])
               if c.startswith("Programming Language :: Python :: 3.")]
    print(f"{name:<15}{meta['Version']:<13}Requires-Python {meta['Requires-Python']:<7}",
          "classifiers:", ", ".join(pythons))

# %% [markdown]
# ## Deprecation warnings
#
# All three signal a deprecated API at runtime, but not in one way. PyTorch and JAX use Python's
# [`warnings`](https://docs.python.org/3/library/warnings.html) module; Python's default filters
# hide `DeprecationWarning` unless it is attributed to code in `__main__`, which is why the cells
# below record warnings with `simplefilter("always")` (a test runner such as pytest shows them
# too). PyTorch uses three warning classes for this in 2.13: `torch.jit.script` raises a
# `DeprecationWarning` ([TorchScript is deprecated](https://docs.pytorch.org/docs/stable/jit.html)
# in favour of `torch.export`), the old `torch.cpu.amp` entry points a `FutureWarning`, and
# `torch.range` a plain `UserWarning`. TensorFlow's own deprecation decorator does not go through
# `warnings` at all: it logs a `WARNING` through the `tensorflow` logger, once per function, with
# "Instructions for updating", so `catch_warnings` records nothing — while the deprecation of
# `tf.lite.Interpreter` in favour of the LiteRT interpreter (`ai_edge_litert`) is a `UserWarning`
# whose text still names TF 2.20 as the release that deletes it. JAX's deprecated attributes warn
# with `DeprecationWarning` and, once the deprecation is finished, raise `AttributeError` with the
# replacement in the message; its [API compatibility policy](https://docs.jax.dev/en/latest/api_compatibility.html)
# promises a `DeprecationWarning` and a changelog entry, and removal no sooner than three months
# after the release that deprecated the API. The JAX changelog lists both cases used here: positional `copy`,
# `order` and `ndmin` in `jnp.array` deprecated in 0.10.1, `jax.device_put_replicated` removed in
# 0.10.0.

# %%
# A one-operation TensorFlow Lite model, for the interpreter below (its converter's INFO lines muted).
tf.get_logger().setLevel("WARNING")
doubler = tf.Module()
doubler.call = tf.function(lambda x: 2 * x, input_signature=[tf.TensorSpec([2], tf.float32)])
tiny_tflite_model = tf.lite.TFLiteConverter.from_concrete_functions(
    [doubler.call.get_concrete_function()], doubler).convert()
print("TensorFlow Lite model:", len(tiny_tflite_model), "bytes")

# %% tags=["pytorch", "deprecation-warnings"]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")  # DeprecationWarning is hidden by default outside __main__
    torch.jit.script(torch.nn.ReLU())
    torch.cpu.amp.autocast()
    torch.range(0, 3)
for category, message in dict.fromkeys((w.category.__name__, str(w.message)) for w in caught):
    print(f"{category}: {message}")

# %% tags=["tensorflow", "deprecation-warnings"]
import unittest  # its assertLogs collects what a logger emits

with warnings.catch_warnings(record=True) as caught, unittest.TestCase().assertLogs("tensorflow") as logged:
    warnings.simplefilter("always")
    tf.lite.Interpreter(model_content=tiny_tflite_model)  # a Python warning
    tf.test.is_gpu_available()  # a log record on the "tensorflow" logger, not a warning
for w in caught:
    print(f"{w.category.__name__}: {' '.join(str(w.message).split())}")
for record in logged.records:  # the message starts "From <caller file>:<line>: "
    print(f"logged {record.levelname}: {record.getMessage().split(': ', 1)[1]}")

# %% tags=["jax", "deprecation-warnings"]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    jnp.array(np.ones(2), None, True)  # dtype, copy passed by position
for w in caught:
    print(f"{w.category.__name__}: {w.message}")
try:
    jax.device_put_replicated  # deprecated, then removed: the attribute now raises
except AttributeError as error:
    print(f"AttributeError: {error}")

# %%
# The statements in the text above, checked so that a change in a new release stops the build.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.jit.script(torch.nn.ReLU())
    torch.cpu.amp.autocast()
    torch.range(0, 3)
    jnp.array(np.ones(2), None, True)
assert [w.category for w in caught if "jit" in str(w.message)][0] is DeprecationWarning
assert [w.category for w in caught if "amp" in str(w.message)] == [FutureWarning]
assert [w.category for w in caught if "torch.range" in str(w.message)] == [UserWarning]
assert [w.category for w in caught if "jnp.array" in str(w.message)] == [DeprecationWarning]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    tf.lite.Interpreter(model_content=tiny_tflite_model)
assert [w.category for w in caught] == [UserWarning] and "TF 2.20" in str(caught[0].message)
assert len(logged.records) == 1 and logged.records[0].levelname == "WARNING"  # from the TensorFlow cell
assert not hasattr(jax, "device_put_replicated")
