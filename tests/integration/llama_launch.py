"""`python -m tests.integration.llama_launch ARGS`: `python -m llama_cpp.server ARGS`, with llama.cpp's
extra CPU buffer types (weight repacking) switched off.

Why: on CPUs with AMX (recent Xeons, like CI's), the llama-cpp-python 0.3.x build crashes in its
AMX matrix kernel (SIGSEGV in ggml_backend_amx_mul_mat) as soon as a prompt of more than one token
is evaluated. Without the extra buffer types llama.cpp uses its regular CPU kernels. Set
COPILOT_LLAMA_REPACK=1 to keep repacking where it works.
"""
from __future__ import annotations

import os
import runpy

if os.environ.get("COPILOT_LLAMA_REPACK") != "1":
    import llama_cpp.llama_cpp as bindings

    _defaults = bindings.llama_model_default_params

    def _no_repacking():
        params = _defaults()
        params.use_extra_bufts = False
        return params

    bindings.llama_model_default_params = _no_repacking  # llama_cpp.Llama reads it at load time

runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
