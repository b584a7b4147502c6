#!/bin/sh
# curl-client.sh terminates a password-exempt contract through WeChat Pay
# APIv3 with nothing but curl and the openssl command line: it signs the
# request, sends it, and verifies the signature of the answer.
#
# Usage: curl-client.sh DIR [SERVICE_ID OUT_CONTRACT_CODE [REMARK]]
#
# DIR holds config.json as wechatpay-sandbox writes it (mchid,
# merchant_serial_no, merchant_private_key_file, wechatpay_public_key_id,
# wechatpay_public_key_file, base_url; file names relative to DIR). The
# contract defaults to the official example, 12535 wxwtdk20200910100000, and
# the remark to 用户解约.
#
# Exit status: 0 when the answer is 200 and its signature verifies (the body
# is printed on stdout); 1 otherwise, with the reason (for an error answer its
# HTTP status, code and Request-ID) on stderr; 2 on a usage error.
set -eu

usage() {
	echo "usage: $0 DIR [SERVICE_ID OUT_CONTRACT_CODE [REMARK]]" >&2
	exit 2
}
fail() {
	echo "curl-client: $*" >&2
	exit 1
}

[ $# -eq 1 ] || [ $# -eq 3 ] || [ $# -eq 4 ] || usage
dir=$1
service_id=${2:-12535}
code=${3:-wxwtdk20200910100000}
remark=${4:-用户解约}

case $service_id in '' | *[!0-9]*) fail "SERVICE_ID must be digits" ;; esac
case $code in '' | *[!0-9A-Za-z]*) fail "OUT_CONTRACT_CODE must be digits and ASCII letters" ;; esac
case $remark in *'"'* | *'\'*) fail "REMARK must not hold quotes or backslashes" ;; esac
[ -r "$dir/config.json" ] || fail "no readable $dir/config.json"

# config KEY prints the string value of KEY in config.json.
config() {
	tr ',{}' '\n\n\n' <"$dir/config.json" |
		sed -n 's/^[[:space:]]*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"]*\)"[[:space:]]*$/\1/p' |
		head -n 1
}
# in_dir FILE resolves a file name of config.json against DIR.
in_dir() {
	case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$dir/$1" ;; esac
}

mchid=$(config mchid)
serial_no=$(config merchant_serial_no)
key_file=$(in_dir "$(config merchant_private_key_file)")
key_id=$(config wechatpay_public_key_id)
public_file=$(in_dir "$(config wechatpay_public_key_file)")
base_url=$(config base_url)
[ -n "$mchid" ] && [ -n "$serial_no" ] && [ -n "$key_id" ] && [ -n "$base_url" ] ||
	fail "config.json lacks mchid, merchant_serial_no, wechatpay_public_key_id or base_url"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Sign METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n with the merchant key.
uri="/v3/password-exempt-contract/contracts/service-id/$service_id/out-contract-code/$code/terminate"
timestamp=$(date +%s)
nonce=$(openssl rand -hex 16) # 32 characters of [0-9a-f]
printf '{"contract_termination_remark":"%s"}' "$remark" >"$tmp/body"
{
	printf 'POST\n%s\n%s\n%s\n' "$uri" "$timestamp" "$nonce"
	cat "$tmp/body"
	printf '\n'
} >"$tmp/request.msg"
signature=$(openssl dgst -sha256 -sign "$key_file" "$tmp/request.msg" | openssl base64 -A) ||
	fail "cannot sign with $key_file"

status=$(curl -sS -X POST \
	-D "$tmp/headers" -o "$tmp/answer" -w '%{http_code}' \
	-H "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"$mchid\",nonce_str=\"$nonce\",signature=\"$signature\",timestamp=\"$timestamp\",serial_no=\"$serial_no\"" \
	-H "Wechatpay-Serial: $key_id" \
	-H 'Accept: application/json' \
	-H 'Content-Type: application/json' \
	-H 'User-Agent: payforge-curl-client/0.1' \
	-H 'Expect:' \
	--data-binary "@$tmp/body" \
	"$base_url$uri") || fail "no usable answer from $base_url"

# header NAME prints the value of an answer header, matched without regard to case.
header() {
	awk -v name="$1" '
		BEGIN { name = tolower(name) }
		{ sub(/\r$/, "") }
		{
			i = index($0, ":")
			if (i > 0 && tolower(substr($0, 1, i - 1)) == name) {
				v = substr($0, i + 1)
				sub(/^[ \t]+/, "", v)
				print v
				exit
			}
		}' "$tmp/headers"
}
request_id=$(header Request-ID)

if [ "$status" != 200 ]; then
	error_code=$(sed -n 's/.*"code"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$tmp/answer" | head -n 1)
	echo "curl-client: HTTP $status ${error_code:-(no WeChat Pay error code)} [Request-ID $request_id]" >&2
	cat "$tmp/answer" >&2
	echo >&2
	exit 1
fi

# Verify TIMESTAMP\nNONCE\nBODY\n with the WeChat Pay public key.
answer_timestamp=$(header Wechatpay-Timestamp)
answer_nonce=$(header Wechatpay-Nonce)
answer_signature=$(header Wechatpay-Signature)
answer_serial=$(header Wechatpay-Serial)
[ -n "$answer_timestamp" ] && [ -n "$answer_nonce" ] && [ -n "$answer_signature" ] && [ -n "$answer_serial" ] ||
	fail "answer lacks a Wechatpay-* signature header [Request-ID $request_id]"
[ "$answer_serial" = "$key_id" ] ||
	fail "answer is signed with $answer_serial, not the configured key $key_id [Request-ID $request_id]"
case $answer_timestamp in *[!0-9]*) fail "Wechatpay-Timestamp is not Unix seconds" ;; esac
now=$(date +%s)
if [ $((now - answer_timestamp)) -gt 300 ] || [ $((answer_timestamp - now)) -gt 300 ]; then
	fail "Wechatpay-Timestamp $answer_timestamp is more than 300 s from the local clock $now"
fi
{
	printf '%s\n%s\n' "$answer_timestamp" "$answer_nonce"
	cat "$tmp/answer"
	printf '\n'
} >"$tmp/answer.msg"
printf '%s' "$answer_signature" | openssl base64 -d -A >"$tmp/answer.sig" ||
	fail "Wechatpay-Signature is not Base64"
openssl dgst -sha256 -verify "$public_file" -signature "$tmp/answer.sig" "$tmp/answer.msg" >/dev/null 2>&1 ||
	fail "answer signature does not verify [Request-ID $request_id]"

cat "$tmp/answer"
echo
