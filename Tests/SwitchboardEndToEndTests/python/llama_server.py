"""Starts llama-cpp-python's OpenAI-compatible server with llama.cpp's extra CPU buffer types off.

Those buffer types repack the weights for the CPU's widest kernels; on a CPU that reports AMX,
llama.cpp then multiplies with AMX tiles, and under some hypervisors `ldtilecfg` faults (seen here:
a general protection fault in libggml-cpu, the server gone at the first request). The plain CPU
kernels answer the same prompts, and a 135M model needs no more speed. The server exposes no
option for it, so the default model parameters are wrapped before it starts.

Usage: python llama_server.py [llama_cpp.server arguments]
"""
import runpy

import llama_cpp.llama_cpp as native

_default_params = native.llama_model_default_params


def _params_without_extra_buffer_types():
    params = _default_params()
    params.use_extra_bufts = False
    return params


native.llama_model_default_params = _params_without_extra_buffer_types
runpy.run_module("llama_cpp.server", run_name="__main__")
