# shellcheck shell=bash
# stamped NAME 'INPUTS' 'OUTPUTS' COMMAND...: runs COMMAND unless it succeeded before with the same
# inputs and its outputs are still there, so a set-up with nothing changed does nothing.
#   INPUTS   paths (git pathspecs, relative to the working directory, a git checkout) whose files'
#            contents, with the command line itself and the Node.js version, make the step's key; put
#            anything else the step depends on (an environment variable) on the command line.
#   OUTPUTS  paths that must exist for the step to count as done.
# The key of the last success is kept in .cache/stamps/NAME. Sets did=1 when COMMAND ran. Prints
# "NAME: up to date" (through `log` when the caller defines it) when it did not.
stamped() {
  local name="$1" inputs="$2" outputs="$3" key out
  shift 3
  # shellcheck disable=SC2086 # INPUTS is a list of paths
  key="$( { printf '%s\n' "$*" "$(node --version)"; git ls-files -z -co --exclude-standard -- $inputs | sort -z | xargs -0 -r sha256sum; } | sha256sum)"
  key="${key%% *}"
  local stamp=".cache/stamps/$name" fresh=1
  for out in $outputs; do [[ -e "$out" ]] || fresh=0; done
  if ((fresh)) && [[ -f "$stamp" && "$(<"$stamp")" == "$key" ]]; then
    if declare -F log >/dev/null; then log "$name: up to date"; else printf '%s: up to date\n' "$name" >&2; fi
    return 0
  fi
  "$@"
  mkdir -p .cache/stamps && printf '%s\n' "$key" > "$stamp"
  did=1
}
