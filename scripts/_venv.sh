# Sourced by scripts/run and scripts/test: make .venv with Python 3.13+ and install
# exactly the versions in constraints.txt (what CI tested). Re-installs only when
# pyproject.toml or constraints.txt changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  local candidate
  for candidate in ${PYTHON:-} python3.13 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then
  if ! PY=$(find_python); then
    echo "Gränsforum needs Python 3.13 or newer, and none was found on PATH." >&2
    echo "Install it (e.g. 'pyenv install 3.13', which .python-version then selects)" >&2
    echo "or point PYTHON at one: PYTHON=/path/to/python3.13 $0" >&2
    exit 1
  fi
  rm -rf .venv
  "$PY" -m venv .venv
fi

stamp=.venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
