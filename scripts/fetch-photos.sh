#!/usr/bin/env bash
# Fetches the real photos the tests use into DIR, from PyPI packages (pip download, nothing
# installed), and keeps two sets apart:
#   DIR/evaluation/   foolbox's 20 labelled ImageNet validation samples (imagenet_NN_LABEL.jpg,
#                     LABEL the ImageNet class index): accuracy and parity checks.
#   DIR/calibration/  scikit-image's CC0 colour photos: for calibrating INT8 activation ranges,
#                     never for measuring accuracy.
# Idempotent and silent when both sets are there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:?usage: fetch-photos.sh DIR}"
foolbox="foolbox==3.3.4"
skimage="scikit-image==0.26.0"
calibration=(astronaut.png chelsea.png coffee.png motorcycle_left.png motorcycle_right.png
             rocket.jpg hubble_deep_field.jpg brick.png grass.png gravel.png)

have() { [[ -f "$dir/$1/.complete" ]]; }
have evaluation && have calibration && exit 0

echo "setup: fetching test photos into $dir"
wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
"$root/.venv/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
  -d "$wheels" "$foolbox" "$skimage"

extract() { # set, wheel glob, member paths...
  local set="$1" wheel=("$wheels"/$2) ; shift 2
  rm -rf "$dir/$set" && mkdir -p "$dir/$set"
  "$root/.venv/bin/python" - "${wheel[0]}" "$dir/$set" "$@" <<'PY'
import os, sys, zipfile
wheel, out, members = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for member in members:
        with z.open(member) as src, open(os.path.join(out, os.path.basename(member)), "wb") as dst:
            dst.write(src.read())
PY
  touch "$dir/$set/.complete"
}

members=()
while read -r name; do members+=("$name"); done < <(
  "$root/.venv/bin/python" -c 'import sys, zipfile
print("\n".join(n for n in zipfile.ZipFile(sys.argv[1]).namelist()
                if n.startswith("foolbox/data/imagenet_") and n.endswith(".jpg")))' \
    "$(ls "$wheels"/foolbox-*.whl)")
((${#members[@]} == 20)) || { echo "setup: expected 20 ImageNet samples in $foolbox, found ${#members[@]}" >&2; exit 1; }
extract evaluation 'foolbox-*.whl' "${members[@]}"
extract calibration 'scikit_image-*.whl' "${calibration[@]/#/skimage/data/}"
