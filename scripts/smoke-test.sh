#!/usr/bin/env bash
# Smoke test of a deployed AckFc (docs/deployment.md step 9; .github/workflows/deploy.yml runs it after `s deploy`).
#   ACKFC_SMOKE_KEY_ID / ACKFC_SMOKE_SECRET  one keyId:secret pair of the KMS secret ackfc-webhook-keys
#   ACKFC_SMOKE_CLUSTER                      a cluster id the webhook may read (a GET changes nothing)
#   ACKFC_WEBHOOK_URL                        optional: the HTTP trigger's URL; else read from `s webhook info`
# Prints what it checks, never the secret. Exits non-zero on the first failed check.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${ACKFC_SMOKE_KEY_ID:?set ACKFC_SMOKE_KEY_ID (a key id of the webhook secret)}"
: "${ACKFC_SMOKE_SECRET:?set ACKFC_SMOKE_SECRET (the secret of that key id)}"
: "${ACKFC_SMOKE_CLUSTER:?set ACKFC_SMOKE_CLUSTER (a cluster id to read)}"
S=${S:-s}

fail() { echo "smoke test FAILED: $*" >&2; exit 1; }

url=${ACKFC_WEBHOOK_URL:-}
if [ -z "$url" ]; then
  # The first https URL of the function's HTTP trigger in `s webhook info`, whatever the layout of its JSON.
  url=$("$S" webhook info -o json --silent | node -e '
    let text = ""; process.stdin.on("data", c => text += c).on("end", () => {
      const found = [];
      const walk = v => { if (typeof v === "string" && /^https:\/\/[^ ]+\.fcapp\.run\/?$/.test(v)) found.push(v);
                          else if (v && typeof v === "object") Object.values(v).forEach(walk); };
      walk(JSON.parse(text.slice(text.indexOf("{"))));
      if (!found.length) { console.error("no https://….fcapp.run URL in s webhook info"); process.exit(1); }
      console.log(found[0].replace(/\/$/, ""));
    });')
fi
echo "1. health: GET $url/healthz"
status=$(curl -sS -o /tmp/ackfc-smoke-health -w '%{http_code}' --max-time 30 "$url/healthz") || fail "healthz did not answer"
[ "$status" = 200 ] || fail "healthz answered $status: $(cat /tmp/ackfc-smoke-health)"

echo "2. signed dry-run read: GET /clusters/$ACKFC_SMOKE_CLUSTER/kms"
path="/clusters/$ACKFC_SMOKE_CLUSTER/kms"
t=$(date +%s)
empty=$(printf '' | sha256sum | cut -d' ' -f1)
sig=$(printf '%s.%s.%s.%s' "$t" GET "$path" "$empty" | openssl dgst -sha256 -hmac "$ACKFC_SMOKE_SECRET" -r | cut -d' ' -f1)
status=$(curl -sS -o /tmp/ackfc-smoke-get -w '%{http_code}' --max-time 60 "$url$path" -H "X-AckFc-Signature: t=$t,kid=$ACKFC_SMOKE_KEY_ID,v1=$sig") \
  || fail "the signed GET did not answer"
[ "$status" = 200 ] || fail "the signed GET answered $status: $(cat /tmp/ackfc-smoke-get)"
grep -q '"cluster"' /tmp/ackfc-smoke-get || fail "the signed GET has no cluster: $(cat /tmp/ackfc-smoke-get)"

echo "3. one compliance invocation (report mode)"
event='{"triggerTime":"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'","triggerName":"smoke","payload":"{\"mode\":\"report\"}"}'
"$S" compliance invoke -e "$event" --silent > /tmp/ackfc-smoke-invoke 2>&1 || fail "s compliance invoke failed: $(tail -20 /tmp/ackfc-smoke-invoke)"

echo "4. the result"
grep -q '"sweepId"' /tmp/ackfc-smoke-invoke || fail "the invocation answered no sweep: $(tail -20 /tmp/ackfc-smoke-invoke)"
if grep -q '"errorType"' /tmp/ackfc-smoke-invoke; then fail "the sweep failed: $(tail -20 /tmp/ackfc-smoke-invoke)"; fi
grep -o '"summary":{[^}]*}' /tmp/ackfc-smoke-invoke | head -1
# The report set went to the bucket (s.yaml's ACKFC_REPORT_STORE), not to the instance's /tmp.
grep -q '"oss://' /tmp/ackfc-smoke-invoke || fail "the sweep's report files are not in OSS: $(grep -o '"reportFiles":[^]]*]' /tmp/ackfc-smoke-invoke | head -1)"

echo "5. one guard invocation: a synthetic CloudEvent of an API the guard ignores"
# DescribeKey is a read the guard never reacts to; a fresh id each run, so it is never taken for a duplicate.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
id="ackfc-smoke-$(date +%s)-$RANDOM"
event='{"id":"'"$id"'","source":"acs.kms","specversion":"1.0","type":"kms:ActionTrail:ApiCall","time":"'"$now"'",'\
'"datacontenttype":"application/json;charset=utf-8","aliyuneventbusname":"default","data":{"eventId":"'"$id"'",'\
'"eventVersion":1,"eventType":"ApiCall","eventRW":"Write","eventName":"DescribeKey","serviceName":"Kms","eventTime":"'"$now"'",'\
'"requestParameters":{"KeyId":"ackfc-smoke"},"userIdentity":{"type":"ram-user","userName":"ackfc-smoke"},"errorCode":"","errorMessage":""}}'
"$S" guard invoke -e "$event" --silent > /tmp/ackfc-smoke-guard 2>&1 || fail "s guard invoke failed: $(tail -20 /tmp/ackfc-smoke-guard)"
if grep -q '"errorType"' /tmp/ackfc-smoke-guard; then fail "the guard refused the event: $(tail -20 /tmp/ackfc-smoke-guard)"; fi
grep -q '"decision":"ignored"' /tmp/ackfc-smoke-guard || fail "the guard did not ignore the event: $(tail -20 /tmp/ackfc-smoke-guard)"
echo "smoke test passed"
