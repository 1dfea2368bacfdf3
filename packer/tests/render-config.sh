#!/usr/bin/env bash
# Smoke test of files/vault-render-config, run by scripts/ci-infra.sh: a fake IMDSv2 on
# loopback serves the user-data the terraform module writes, a fake `aws` serves a
# throwaway certificate from "SSM", and the rendered vault.hcl is parsed and checked.
# Usage: render-config.sh [python-with-hcl2]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=${1:-python3}
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A throwaway key pair made for this run only; nothing is stored in the repository.
mkdir -p "$work/params" "$work/bin" "$work/etc"
# Valid for the region's private DNS names (node_address = private_dns), not for IPs.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=vault.test" \
  -addext "subjectAltName=DNS:vault.test,DNS:*.ec2.internal" \
  -keyout "$work/params/key" -out "$work/params/cert" 2>/dev/null
cp "$work/params/cert" "$work/params/ca"

cat >"$work/bin/aws" <<'AWS'
#!/usr/bin/env bash
set -euo pipefail
if [ "$1 $2" = "autoscaling set-instance-health" ]; then
  printf '%s\n' "$*" >>"$FAKE_SSM_DIR/../asg-calls"
  exit 0
fi
[ "$1 $2" = "ssm get-parameter" ] || { echo "fake aws: unexpected $*" >&2; exit 2; }
shift 2
name=""
while [ $# -gt 0 ]; do
  case "$1" in --name) name=$2; shift 2 ;; --region | --output) shift 2 ;; *) shift ;; esac
done
f="$FAKE_SSM_DIR/${name##*/}"
[ -f "$f" ] || { echo "ParameterNotFound: $name" >&2; exit 254; }
jq -n --rawfile v "$f" --arg n "$name" '{Parameter: {Name: $n, Type: "SecureString", Value: $v}}'
AWS
chmod +x "$work/bin/aws"

cat >"$work/user-data" <<'JSON'
{"cluster_name":"prod","role":"primary","s3_bucket":"prod-vault-data-us-east-1-111122223333",
 "s3_path":"vault/","kms_key_id":"arn:aws:kms:us-east-1:111122223333:key/0000-1111",
 "dynamodb_table":"prod-vault-ha","tls_cert_parameter":"/vault/prod/tls/cert",
 "tls_key_parameter":"/vault/prod/tls/key","tls_ca_parameter":"/vault/prod/tls/ca",
 "node_address":"private_dns","ui":true,"log_level":"info",
 "telemetry_prometheus_retention":"30s","x_forwarded_for_cidrs":["10.0.1.0/24","10.0.2.0/24"],
 "seal_awskms_key_id":""}
JSON

cat >"$work/imds.py" <<'PY'
import http.server, sys
meta = {"/latest/meta-data/placement/region": b"us-east-1",
        "/latest/meta-data/instance-id": b"i-0123456789abcdef0",
        "/latest/meta-data/local-ipv4": b"10.0.1.17",
        "/latest/meta-data/local-hostname": b"ip-10-0-1-17.ec2.internal"}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, code, body=b""):
        self.send_response(code); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_PUT(self):
        ok = self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        self.reply(200, b"TOKEN") if ok else self.reply(400)
    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != "TOKEN": return self.reply(401)  # IMDSv2 only
        if self.path == "/latest/user-data":  # read at each request: a scenario swaps the file
            return self.reply(200, open(sys.argv[2], "rb").read())
        self.reply(200, meta[self.path]) if self.path in meta else self.reply(404)
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(srv.server_address[1]))
srv.timeout = 1
import time; end = time.time() + 60
while time.time() < end: srv.handle_request()
PY
python3 "$work/imds.py" "$work/port" "$work/user-data" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "fake IMDS did not start" >&2; exit 1; }

render() {
  PATH="$work/bin:$PATH" FAKE_SSM_DIR="$work/params" IMDS_ENDPOINT="http://127.0.0.1:$(cat "$work/port")" \
    VAULT_CONF_DIR="$work/etc" VAULT_GROUP="$(id -gn)" VAULT_PROFILE_SCRIPT="$work/profile.sh" \
    bash "$here/../files/vault-render-config"
}

# Given a certificate that does not cover the node's private DNS name,
# When rendering, Then the render fails and says why (the node would fail verification).
cp "$work/params/cert" "$work/cert.good" && cp "$work/params/key" "$work/key.good"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=vault.test" \
  -addext "subjectAltName=DNS:vault.test,IP:10.0.1.17" \
  -keyout "$work/params/key" -out "$work/params/cert" 2>/dev/null
if render 2>"$work/err"; then
  echo "render-config: rendered with a certificate that does not cover ip-10-0-1-17.ec2.internal" >&2
  exit 1
fi
grep -q "not valid for this node's address ip-10-0-1-17.ec2.internal" "$work/err" ||
  { echo "render-config: failed for another reason:" >&2; cat "$work/err" >&2; exit 1; }
[ ! -e "$work/etc/vault.hcl" ] || { echo "render-config: vault.hcl written despite the failure" >&2; exit 1; }
echo "render-config: a certificate without the node's name is refused"
cp "$work/cert.good" "$work/params/cert" && cp "$work/key.good" "$work/params/key"

render

"$py" - "$work/etc/vault.hcl" <<'PY'
import sys
try:
    import hcl2
except ImportError:
    hcl2 = None
text = open(sys.argv[1]).read()
if hcl2 is None:
    for needle in ('storage "s3"', 'ha_storage "dynamodb"', 'disable_mlock = false'):
        assert needle in text, needle
    print("render-config: checked by text (python-hcl2 not available)")
    sys.exit(0)
c = hcl2.loads(text)
def one(blocks, name):
    return [b[name] for b in blocks if name in b][0]
s3 = one(c["storage"], "s3")
ha = one(c["ha_storage"], "dynamodb")
tcp = one(c["listener"], "tcp")
def strip(v):
    # python-hcl2 versions differ: values may come wrapped in a list and still quoted.
    if isinstance(v, list) and len(v) == 1:
        v = v[0]
    return v.strip('"') if isinstance(v, str) else v
assert strip(s3["bucket"]) == "prod-vault-data-us-east-1-111122223333", s3
assert strip(s3["kms_key_id"]).startswith("arn:aws:kms:"), s3
assert strip(s3["region"]) == "us-east-1" and strip(s3["path"]) == "vault/", s3
assert strip(ha["ha_enabled"]) == "true" and strip(ha["table"]) == "prod-vault-ha", ha
assert strip(tcp["address"]) == "0.0.0.0:8200" and strip(tcp["tls_min_version"]) == "tls12", tcp
assert strip(c["api_addr"]) == "https://ip-10-0-1-17.ec2.internal:8200", c["api_addr"]
assert strip(c["cluster_addr"]) == "https://ip-10-0-1-17.ec2.internal:8201", c["cluster_addr"]
assert strip(c["disable_mlock"]) in (False, "false"), c["disable_mlock"]
assert "seal" not in c, "Shamir by default: no seal stanza"
assert "telemetry" in c
print("render-config: vault.hcl parsed and checked")
PY
for f in vault.crt vault.key ca.pem; do
  [ "$(stat -c %a "$work/etc/tls/$f")" = 640 ] || { echo "tls/$f is not mode 0640" >&2; exit 1; }
done
grep -q '^export VAULT_ADDR=https://ip-10-0-1-17.ec2.internal:8200$' "$work/profile.sh"

# Given a failed boot step, When its OnFailure= handler runs, Then this instance (and only
# it) is marked Unhealthy in its ASG, without waiting out the grace period.
PATH="$work/bin:$PATH" FAKE_SSM_DIR="$work/params" IMDS_ENDPOINT="http://127.0.0.1:$(cat "$work/port")" \
  bash "$here/../files/vault-node-unhealthy" 2>/dev/null
grep -qx -- "autoscaling set-instance-health --region us-east-1 --instance-id i-0123456789abcdef0 --health-status Unhealthy --no-should-respect-grace-period .*" "$work/asg-calls" ||
  { echo "render-config: vault-node-unhealthy did not call set-instance-health as expected:" >&2; cat "$work/asg-calls" >&2; exit 1; }
echo "render-config: a failed boot step marks the instance Unhealthy"

# Given a quarantine recovery node's user-data (role recovery, a quarantine bucket, no lock
# table), When rendering, Then vault.hcl has the S3 storage on that bucket and no ha_storage.
cp "$work/user-data" "$work/user-data.cluster"
jq 'del(.dynamodb_table) | .role = "recovery" | .s3_bucket = "vr-quarantine-abc123"' \
  "$work/user-data.cluster" >"$work/user-data"
render
"$py" - "$work/etc/vault.hcl" <<'PY'
import sys
text = open(sys.argv[1]).read()
assert "ha_storage" not in text and "dynamodb" not in text, text
assert 'bucket     = "vr-quarantine-abc123"' in text, text
try:
    import hcl2
    c = hcl2.loads(text)
    assert "ha_storage" not in c and "storage" in c and "listener" in c, c
except ImportError:
    pass
print("render-config: a recovery node renders with no ha_storage")
PY

# Given a recovery node handed a lock table, or a cluster node missing its table, When
# rendering, Then each is refused with its reason (no HA only by the explicit role).
refused() {
  if render 2>"$work/err"; then
    echo "render-config: rendered $1" >&2
    exit 1
  fi
  grep -q "$2" "$work/err" || { echo "render-config: $1 failed for another reason:" >&2; cat "$work/err" >&2; exit 1; }
}
jq '.role = "recovery"' "$work/user-data.cluster" >"$work/user-data"
refused "a recovery node with a dynamodb_table" "a recovery node takes no dynamodb_table"
jq 'del(.dynamodb_table)' "$work/user-data.cluster" >"$work/user-data"
refused "a primary node without a dynamodb_table" "user-data lacks dynamodb_table"
jq '.role = "other"' "$work/user-data.cluster" >"$work/user-data"
refused "an unknown role" "role must be primary, dr or recovery"
echo "render-config: no HA storage only for role recovery, and never with a lock table"
echo "render-config: ok"
