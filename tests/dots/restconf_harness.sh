# What the data channel's shell tests share (sourced once ok and fail are
# defined): RESTCONF requests with curl as a client of the dev PKI, and
# checks of the answers. Expects $dir, $pki, $curl, $python and
# $data_port (the HTTPS port; $data_host, default 127.0.0.1; $store,
# default $dir/store.db).
ROOT=/restconf/data/ietf-dots-data-channel:dots-data
MT=application/yang-data+json
# req NAME METHOD PATH [curl options...]: as client NAME; the status goes to
# $dir/status, the body to $dir/body, the headers to $dir/headers.
req() {
  local name=$1 method=$2 path=$3; shift 3
  : >"$dir/body"; : >"$dir/headers"
  timeout 20 "$curl" -sS -g --cacert "$pki/ca.crt" --cert "$pki/$name.crt" --key "$pki/$name.key" -X "$method" \
    -o "$dir/body" -D "$dir/headers" -w '%{http_code}' "$@" "https://${data_host:-127.0.0.1}:$data_port$path" \
    >"$dir/status" 2>"$dir/curl.err" || true
}
# send NAME METHOD PATH BODY: with the RESTCONF media type.
send() { local body=$4; req "$1" "$2" "$3" -H "Content-Type: $MT" --data-binary "$body"; }
# https NAME METHOD PATH [BODY]: send when there is a body, else req.
https() { if [ $# -ge 4 ]; then send "$@"; else req "$@"; fi; }
# json EXPR: EXPR (Python, on the parsed body j) printed.
json() { "$python" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$dir/body" "$1" \
  2>/dev/null || echo "(no JSON: $(head -c 200 "$dir/body"))"; }
header() { tr -d '\r' <"$dir/headers" | sed -n "s/^$1: //Ip" | head -1; }
# status WHAT STATUS: the last answer's status.
status() {
  if [ "$(cat "$dir/status")" = "$2" ]; then ok "$1: $2"
  else fail "$1: wanted $2, got $(cat "$dir/status") $(head -c 300 "$dir/body") $(cat "$dir/curl.err")"; fi
}
# error WHAT STATUS TAG TEXT: a RESTCONF error of that tag whose message holds TEXT.
error() {
  local got tag msg
  got=$(cat "$dir/status")
  tag=$(json "j['ietf-restconf:errors']['error'][0]['error-tag']")
  msg=$(json "j['ietf-restconf:errors']['error'][0]['error-message']")
  if [ "$got" = "$2" ] && [ "$tag" = "$3" ] && [[ "$msg" == *"$4"* ]] && [ "$(header Content-Type)" = "$MT" ]; then
    ok "$1: $2 $3 '$msg'"
  else
    fail "$1: wanted $2 $3 '$4', got $got $(head -c 400 "$dir/body") $(cat "$dir/curl.err")"
  fi
}
same() { if [ "$2" = "$3" ]; then ok "$1: $2"; else fail "$1: wanted '$3', got '$2'"; fi; }
# sql QUERY: the first column of its first row in the store ("" if none).
sql() {
  "$python" -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); r = c.execute(sys.argv[2]).fetchone(); c.commit(); print(r[0] if r else "")' \
    "${store:-$dir/store.db}" "$1"
}
