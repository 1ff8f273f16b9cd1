#!/usr/bin/env bash
# `make demo`: runs the Sekisho gateway on this one machine in a temporary directory,
# with the example configuration adjusted to that directory, shows what it does, and
# stops everything cleanly on exit or Ctrl-C.
# Usage: scripts/demo.sh BIN_DIR     (DEMO_KEEP=1 keeps the directory afterwards)
set -euo pipefail

bin=$(cd "${1:?usage: demo.sh BIN_DIR}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
demo=$(mktemp -d /tmp/sekisho-demo.XXXXXX)
pids=()

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ "${DEMO_KEEP:-0}" == 1 ]]; then
    echo "demo: files kept in $demo"
  else
    rm -rf "$demo"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # wait_for SECONDS COMMAND...: polls until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "demo: timed out waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}

new_ca() {  # new_ca NAME CN
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$2" \
    -keyout "$demo/pki/$1.key" -out "$demo/pki/$1.pem" 2>/dev/null
}

issue() {  # issue CA NAME CN EXTENSIONS
  local p=$demo/pki
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$3" -keyout "$p/$2.key" -out "$p/$2.csr" 2>/dev/null
  openssl x509 -req -in "$p/$2.csr" -CA "$p/$1.pem" -CAkey "$p/$1.key" -CAcreateserial \
    -days 30 -out "$p/$2.pem" -extfile <(printf '%b' "$4") 2>/dev/null
}

make_pki() {  # a CA for the simulated Mynaportal server and one for this terminal
  mkdir -m 0700 "$demo/pki"
  new_ca server-ca "Demo Mynaportal CA"
  issue server-ca server localhost 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
  new_ca client-ca "Demo terminal CA"
  issue client-ca client "demo terminal" 'extendedKeyUsage=clientAuth\n'
  chmod 0600 "$demo/pki"/*.key
}

step "Preparing $demo"
mkdir -m 0700 "$demo/state" "$demo/secrets"
for key in queue_key audit_key oneway_key; do
  head -c 32 /dev/urandom > "$demo/secrets/$key"
  chmod 0600 "$demo/secrets/$key"
done
printf 'demo-password\n' > "$demo/secrets/mynaportal_password"
chmod 0600 "$demo/secrets/mynaportal_password"
make_pki

recv_port=$((17000 + RANDOM % 2000))

step "Generating synthetic filings (signed by a generated test CA)"
echo "  12 valid ones, and at least two broken ones per reason code of spec/filing-package.md"
"$bin/sekisho-sim" make-filings --out "$demo/filings" --ca-dir "$demo/ca" --count 12 --seed 1 --invalid
filings=$(find "$demo/filings" -name '*.zip' | wc -l)

step "Generating 中間サーバー result files (CP932 CSV, spec/chukan-api.md)"
# Two of each result kind; the result id is the file name without .csv.
"$bin/sekisho-sim" make-chukan-files --out "$demo/chukan-made" --count 2 --seed 1 > /dev/null
mkdir -p "$demo/chukan-results"
for f in "$demo/chukan-made"/valid-*-RES.csv; do
  mv "$f" "$demo/chukan-results/$(basename "$f")"
done
results=$(find "$demo/chukan-results" -name '*.csv' | wc -l)
echo "  $results result files: $(ls "$demo/chukan-results" | tr '\n' ' ')"
total=$((filings + results))

step "Starting clamd (Debian's clamav-daemon) with the project's test signatures"
# There is no official signature database on this machine: the demo's clamd loads only
# the project's own (EICAR and a test marker), on a private socket.
mkdir -p "$demo/clamd/db" "$demo/clamd/tmp"
cp "$src/tests/support/clamd/sekisho-test.ndb" "$demo/clamd/db/"
cat > "$demo/clamd/clamd.conf" <<CONF
Foreground yes
LocalSocket $demo/clamd/clamd.sock
LocalSocketMode 600
DatabaseDirectory $demo/clamd/db
TemporaryDirectory $demo/clamd/tmp
LogFile $demo/clamd/clamd.log
LogSyslog no
MaxThreads 4
Bytecode no
CONF
/usr/sbin/clamd --config-file="$demo/clamd/clamd.conf" > "$demo/clamd/clamd.out" 2>&1 &
pids+=($!)
wait_for 120 test -S "$demo/clamd/clamd.sock"
echo "  clamd answers on $demo/clamd/clamd.sock"

step "Starting the 中間サーバー simulator (mutual TLS on 127.0.0.1)"
"$bin/sekisho-sim" chukan --listen 127.0.0.1:0 --ready-file "$demo/chukan.port" \
  --tls-cert "$demo/pki/server.pem" --tls-key "$demo/pki/server.key" \
  --client-ca "$demo/pki/client-ca.pem" --results "$demo/chukan-results" \
  --record "$demo/chukan-record.jsonl" --processing-polls 1 \
  2> >(sed -u 's/^/  [chukan simulator] /' >&2) &
pids+=($!)
wait_for 10 test -s "$demo/chukan.port"
chukan_port=$(cat "$demo/chukan.port")
echo "  listening on 127.0.0.1:$chukan_port"

step "Starting the Mynaportal simulator (mutual TLS on 127.0.0.1)"
"$bin/sekisho-sim" mynaportal --listen 127.0.0.1:0 --ready-file "$demo/sim.port" \
  --tls-cert "$demo/pki/server.pem" --tls-key "$demo/pki/server.key" \
  --client-ca "$demo/pki/client-ca.pem" --filings "$demo/filings" \
  --record "$demo/sim-record.jsonl" --password-file "$demo/secrets/mynaportal_password" \
  2> >(sed -u 's/^/  [simulator] /' >&2) &
pids+=($!)
wait_for 10 test -s "$demo/sim.port"
port=$(cat "$demo/sim.port")
echo "  listening on 127.0.0.1:$port"
# The example configuration, with paths moved into the demo directory and the daemon
# running as the current user. Secrets are 0600 files here instead of systemd credentials.
sed -e "s|^state_dir = .*|state_dir = \"$demo/state\"|" \
    -e "s|^control_socket = .*|control_socket = \"$demo/control.sock\"|" \
    -e "s|^metrics_file = .*|metrics_file = \"$demo/sekishod.prom\"|" \
    -e "s|^user = .*|user = \"$(id -un)\"|" \
    -e "s|^queue_key = \"queue_key\"|queue_key = \"$demo/secrets/queue_key\"|" \
    -e "s|^audit_key = \"audit_key\"|audit_key = \"$demo/secrets/audit_key\"|" \
    -e "s|^oneway_key = \"oneway_key\"|oneway_key = \"$demo/secrets/oneway_key\"|" \
    -e "/^\[mynaportal\]/,/^\[chukan\]/{
          s|^enabled = false|enabled = true|
          s|^# base_url = .*|base_url = \"https://127.0.0.1:$port/\"|
          s|^# ca_file = .*|ca_file = \"$demo/pki/server-ca.pem\"|
          s|^# client_cert = .*|client_cert = \"$demo/pki/client.pem\"|
          s|^client_key = .*|client_key = \"$demo/pki/client.key\"|
          s|^# user_id = .*|user_id = \"K1234567\"|
          s|^password_credential = .*|password_credential = \"$demo/secrets/mynaportal_password\"|
          s|^poll_interval = .*|poll_interval = \"3s\"|
        }" \
    -e "/^\[chukan\]/,/^\[inspect\]/{
          s|^enabled = false|enabled = true|
          s|^# base_url = .*|base_url = \"https://127.0.0.1:$chukan_port/\"|
          s|^# ca_file = .*|ca_file = \"$demo/pki/server-ca.pem\"|
          s|^# client_cert = .*|client_cert = \"$demo/pki/client.pem\"|
          s|^client_key = .*|client_key = \"$demo/pki/client.key\"|
          s|^poll_interval = .*|poll_interval = \"3s\"|
          s|^ipsec_check = .*|ipsec_check = \"interface:lo\"|
          s|^status_interval = .*|status_interval = \"2s\"|
        }" \
    -e "s|^trust_anchors = \[\]|trust_anchors = [\"$demo/ca/trust-anchor.pem\"]|" \
    -e "s|^crl_files = \[\]|crl_files = [\"$demo/ca/crl.pem\"]|" \
    -e "/^\[clamd\]/,/^\[release\]/{
          s|^socket = .*|socket = \"$demo/clamd/clamd.sock\"|
          s|^database_dir = .*|database_dir = \"$demo/clamd/db\"|
        }" \
    -e "s|^auto = \[\]|auto = [{ source = \"mynaportal\", forms = [\"2200700\", \"2201700\", \"2221700\", \"2225700\"] }, { source = \"chukan\", forms = [\"SHIKAKU-REG-RES\", \"SHOKAI-RES\"] }]|" \
    -e "s|^operators = \[\]|operators = [\"user:$(id -un)\"]|" \
    -e "s|^auditors = \[\]|auditors = [\"user:$(id -un)\"]|" \
    -e "s|^destination = \"\"|destination = \"127.0.0.1:$recv_port\"|" \
    "$src/config/sekishod.example.toml" > "$demo/sekishod.toml"
chmod 0640 "$demo/sekishod.toml"
echo "  demo release policy: filings of four forms that pass inspection and scan are"
echo "  released without an operator ([release] auto); those of form 2265700 wait for an"
echo "  operator (you, as user $(id -un), have the operator and auditor roles in [roles]);"
echo "  中間サーバー results of two kinds likewise; HONNIN-RES (本人確認) always wait for a person."
echo "  The 中間サーバー route must leave through the tunnel device: on this one machine"
echo "  ipsec_check = \"interface:lo\" stands in for the IPsec tunnel (interface:ipsec0 on a gateway)."
"$bin/sekishod" --version
"$bin/sekishod" -c "$demo/sekishod.toml" --check-config

step "Starting sekisho-recv, the core side of the one-way link"
# Only the shared oneway_key joins the two sides; the receiver never sends anything.
mkdir -m 0700 "$demo/core-inbox" "$demo/recv-state"
cat > "$demo/sekisho-recv.toml" <<CONF
[daemon]
user = "$(id -un)"
log_level = "warning"
[keys]
oneway_key = "$demo/secrets/oneway_key"
[receiver]
listen = "127.0.0.1:$recv_port"
inbox_dir = "$demo/core-inbox"
state_dir = "$demo/recv-state"
metrics_file = "$demo/sekisho-recv.prom"
CONF
"$bin/sekisho-recv" -c "$demo/sekisho-recv.toml" --check-config
"$bin/sekisho-recv" -c "$demo/sekisho-recv.toml" 2> >(sed -u 's/^/  [sekisho-recv] /' >&2) &
pids+=($!)
wait_for 10 test -s "$demo/sekisho-recv.prom"
echo "  receiving on 127.0.0.1:$recv_port into $demo/core-inbox"

step "Starting sekishod (its log follows)"
"$bin/sekishod" -c "$demo/sekishod.toml" 2> >(sed -u 's/^/  [sekishod] /' >&2) &
pids+=($!)
daemon=$!
wait_for 10 test -s "$demo/sekishod.prom"

step "Filings and result files arriving in the encrypted queue, inspected and virus-scanned"
settled() {  # every filing and result staged, rejected or recognised as a duplicate
  local n
  n=$(awk '/^sekisho_queue_items\{state="(staged|released|sent|rejected|duplicate)"\}/ {s += $2} END {print s + 0}' \
      "$demo/sekishod.prom")
  [[ $n -eq $total ]]
}
wait_for 180 settled
grep -E '^sekisho_(queue_items\{state="(staged|released|sent|rejected|duplicate|held|scanning)"\}|source_items_taken_total|inspections_total|auto_released_total|oneway_sent_total|scanner_available|notices_pending|audit_records)' \
  "$demo/sekishod.prom" | sed 's/^/  /'
all_returned() {  # a returned notice for every rejected filing and the duplicate
  local returned rejected
  returned=$(grep -c '"kind":"returned"' "$demo/sim-record.jsonl")
  rejected=$(awk '/^sekisho_queue_items\{state="(rejected|duplicate)"\}/ {s += $2} END {print s + 0}' \
      "$demo/sekishod.prom")
  [[ $returned -ge $rejected ]]
}
wait_for 30 all_returned
echo "  what the simulated Mynaportal saw:"
printf '    %s downloads, %s marked downloaded, %s received notices, %s returned notices\n' \
  "$(grep -c '/package"' "$demo/sim-record.jsonl")" \
  "$(grep -c '/downloaded"' "$demo/sim-record.jsonl")" \
  "$(grep -c '"kind":"received"' "$demo/sim-record.jsonl")" \
  "$(grep -c '"kind":"returned"' "$demo/sim-record.jsonl")"
echo "  returned notices by reason code:"
grep -o '"reason_code":"E-[A-Z0-9-]*"' "$demo/sim-record.jsonl" | sort | uniq -c | \
  sed 's/"reason_code"://; s/"//g; s/^/   /'
step "An operator at work: sekishoctl over the control socket (roles by uid)"
ctl() { "$bin/sekishoctl" -c "$demo/sekishod.toml" "$@"; }
echo "  \$ sekishoctl status"
ctl status | sed -n '/^items:/,/^notices_pending/p' | grep -v ': 0$' | sed 's/^/    /'
echo "  \$ sekishoctl list --state staged"
ctl list --state staged | sed 's/^/    /'
by_operator=$(ctl --json list --state staged | grep -c '"id"' || true)
echo "  \$ sekishoctl release ALL"
ctl release ALL | sed 's/^/    /'
echo "  \$ sekishoctl keys rotate   (refused: that needs the admin role)"
ctl keys rotate 2>&1 | sed 's/^/    /' || true

step "An operator submits a request file for the 中間サーバー (本人確認, HONNIN-REQ)"
"$bin/sekisho-sim" make-chukan-files --out "$demo/request-made" --count 1 --seed 5 > /dev/null
request=$(ls "$demo/request-made"/valid-*-HONNIN-REQ.csv)
echo "  \$ sekishoctl submit --kind HONNIN-REQ $(basename "$request")"
ctl submit --kind HONNIN-REQ "$request" | sed 's/^/    /'
request_id=$(ctl --json list --source operator 2>/dev/null | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
echo "  \$ sekishoctl release $request_id"
ctl release "$request_id" | sed 's/^/    /'
answered() { ctl --json show "$request_id" | grep -q '"result_item"'; }
wait_for 60 answered
result_item=$(ctl --json show "$request_id" | grep -o '"result_item":"[^"]*"' | cut -d'"' -f4)
echo "  uploaded, followed until done; its result came back as item $result_item:"
ctl show "$request_id" | sed -n '/^upload:/,$p' | sed 's/^/    /'
result_staged() { ctl --json show "$result_item" | grep -q '"state":"staged"'; }
wait_for 60 result_staged
echo "  \$ sekishoctl release $result_item   (HONNIN-RES: a person releases it)"
ctl release "$result_item" | sed 's/^/    /'
by_operator=$((by_operator + 1))

step "Released items arriving in the core system's inbox over the one-way link"
accepted=$(( $(awk '/^sekisho_auto_released_total/ {print $2 + 0}' "$demo/sekishod.prom") + by_operator ))
delivered() {
  [[ $(find "$demo/core-inbox" -name '*.json' | wc -l) -ge $accepted ]]
}
wait_for 60 delivered
echo "  $accepted released: $(find "$demo/core-inbox" -name '*.zip' | wc -l) filings (<id>.zip) and $(find "$demo/core-inbox" -name '*.csv' | wc -l) 中間サーバー results (<id>.csv) in the core inbox, each with its <id>.json:"
ls -l "$demo/core-inbox" | head -9 | sed 's/^/    /'
echo "  one manifest (nothing personal in it):"
sed 's/^/    /' "$(find "$demo/core-inbox" -name '*.json' | head -1)"; echo
echo "  the manifest of the 本人確認 result: flagged, and naming the request it answers:"
sed 's/^/    /' "$demo/core-inbox/$result_item.json"; echo
grep -E '^sekisho_recv_(transfers_total|dropped_total|repaired_shards_total|heartbeats_total)' \
  "$demo/sekisho-recv.prom" | sed 's/^/  /'
released_filings=$(find "$demo/core-inbox" -name '*.zip' | wc -l)
all_accepted() {  # an accepted notice for every released filing (中間サーバー takes none)
  [[ $(grep -c '"kind":"accepted"' "$demo/sim-record.jsonl") -ge $released_filings ]]
}
wait_for 30 all_accepted
echo "  Mynaportal was sent $(grep -c '"kind":"accepted"' "$demo/sim-record.jsonl") accepted notices"
echo "  \$ sekishoctl audit verify"
ctl audit verify | sed 's/^/    /'
echo "  the state directory holds only sealed data:"
ls -la "$demo/state" | sed 's/^/    /'

step "Reload with a broken configuration: the daemon keeps the old one"
cp "$demo/sekishod.toml" "$demo/sekishod.toml.good"
echo 'poll_intervall = "5m"' >> "$demo/sekishod.toml"
kill -HUP "$daemon"
wait_for 10 grep -q 'result="failed"} 1' "$demo/sekishod.prom"
kill -0 "$daemon" && echo "  sekishod is still running (pid $daemon)"

step "Reload with the configuration repaired"
cp "$demo/sekishod.toml.good" "$demo/sekishod.toml"
kill -HUP "$daemon"
wait_for 10 grep -q 'result="ok"} 1' "$demo/sekishod.prom"
grep -E '^sekisho_config' "$demo/sekishod.prom" | sed 's/^/  /'

if [[ -t 0 && "${CI:-}" != true ]]; then
  step "The gateway is running. Press Enter (or Ctrl-C) to stop it."
  read -r _ || true
fi

step "Stopping (SIGTERM)"
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
echo "  sekishod exited with status $rc"
[[ $rc -eq 0 ]]
