package e2e_test

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
)

var codePattern = regexp.MustCompile(`^[0-9A-Za-z]{1,32}$`)

// FuzzTerminateValidate checks the generated Validate against the spec's
// rules written out by hand: what it accepts must satisfy them all.
func FuzzTerminateValidate(f *testing.F) {
	f.Add(int64(12535), "wxwtdk20200910100000", "用户解约")
	f.Add(int64(0), "", "")
	f.Add(int64(-1), "a/b", "x")
	f.Add(int64(1), "..", "\xff")
	f.Add(int64(1), "abcdefghijklmnopqrstuvwxyz0123456", "r")
	f.Add(int64(1), "ａｂｃ", "r")
	f.Add(int64(1), "abc\x00", "r")
	f.Fuzz(func(t *testing.T, serviceID int64, code, remark string) {
		req := &passwordexemptcontract.TerminateByCodeRequest{ServiceID: serviceID, OutContractCode: code, ContractTerminationRemark: remark}
		err := req.Validate()
		ok := serviceID >= 1 && codePattern.MatchString(code) && remark != "" && utf8.ValidString(remark) && utf8.RuneCountInString(remark) <= 256
		if (err == nil) != ok {
			t.Fatalf("Validate(%d, %q, %q) = %v, but the rules say valid=%v", serviceID, code, remark, err, ok)
		}
		if err == nil {
			body, _ := json.Marshal(req)
			var fields map[string]any
			if err := json.Unmarshal(body, &fields); err != nil || len(fields) != 1 || fields["contract_termination_remark"] != remark {
				t.Fatalf("the body holds more or less than the remark: %s", body)
			}
		}
	})
}

// FuzzDecodeQueryResponse decodes answers into the generated response type.
// Arbitrary bytes (raw) must never panic, and what decodes re-encodes stably.
// Most mutated bytes are not JSON, so each input also writes its field values
// out as a well-typed answer, with the JSON names and types of the spec
// written out here by hand: that answer must decode, field for field equal to
// what a generic JSON decoder reads from it, and re-encode stably. sel picks
// which optional fields the answer holds.
func FuzzDecodeQueryResponse(f *testing.F) {
	type strs = []string
	// raw; appid, contract_display_account, contract_id, contract_state,
	// mchid, openid, out_contract_code, sub_appid, sub_openid,
	// contract_termination_mode, contract_termination_remark (joined by
	// "\x00"); service_id; the two times in seconds and nanoseconds, and
	// their zone's offset in minutes; sel.
	add := func(raw string, fields strs, serviceID, signed, terminated int64, nanos uint32, offset int16, sel uint8) {
		f.Add([]byte(raw), strings.Join(fields, "\x00"), serviceID, signed, terminated, nanos, offset, sel)
	}
	official := strs{"wx1234", "138****1234", "1000000000202009101000000000", "SIGNED", "1900000109", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
		"wxwtdk20200910100000", "", "", "USER_TERMINATE", "用户解约"}
	add(`{"mchid":"1900000109","contract_id":"c1","appid":"wx1","openid":"o1","service_id":12535,"out_contract_code":"wxwtdk20200910100000","contract_state":"SIGNED","contract_signed_time":"2020-09-10T13:29:35+08:00"}`,
		official, 12535, 1599715775, 1599715775, 0, 480, 0)
	add(`{"contract_state":"SOMETHING_NEW","contract_terminate_info":{"contract_termination_mode":"USER_TERMINATE","contract_terminated_time":"2020-09-10T13:29:35Z"}}`,
		official, 12535, 1599715775, 1599802175, 123456789, 0, 0xff)
	add(`{"contract_signed_time":"not a time"}`, strs{"", "", "", "", "", "", "", "", "", "", ""}, 0, 0, 0, 0, 0, 0)
	add(`{"service_id":1e400}`, strs{"\xff", "\u2028", "\"", "\\", "<&>", "\x00", "中文", "😀", "a\nb", "", ""}, math.MaxInt64, -62135596800, 253402300799, 999999999, -1439, 0x55)
	add(`null`, official, math.MinInt64, 253402300799, -62135596800, 1, 1439, 0xaa)

	// The fields of the answer, as the spec names them.
	names := strs{"appid", "contract_display_account", "contract_id", "contract_state", "mchid", "openid",
		"out_contract_code", "sub_appid", "sub_openid"}
	optional := map[string]bool{"contract_display_account": true, "sub_appid": true, "sub_openid": true}
	f.Fuzz(func(t *testing.T, raw []byte, joined string, serviceID, signed, terminated int64, nanos uint32, offset int16, sel uint8) {
		roundTrip(t, raw)

		values := strings.Split(joined, "\x00")
		value := func(i int) string {
			if i < len(values) {
				return values[i]
			}
			return ""
		}
		answer := map[string]any{"service_id": serviceID, "contract_signed_time": rfc3339(signed, nanos, offset)}
		for i, name := range names {
			if !optional[name] || sel>>i&1 != 0 {
				answer[name] = value(i)
			}
		}
		if sel&0x80 != 0 {
			info := map[string]any{"contract_termination_mode": value(len(names))}
			if sel&0x40 != 0 {
				info["contract_terminated_time"] = rfc3339(terminated, nanos/3, -offset)
			}
			if sel&0x20 != 0 {
				info["contract_termination_remark"] = value(len(names) + 1)
			}
			answer["contract_terminate_info"] = info
		}
		data, err := json.Marshal(answer)
		if err != nil {
			t.Fatal(err)
		}
		var got passwordexemptcontract.QueryByCodeResponse
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatalf("a well-typed answer does not decode: %v\n%s", err, data)
		}
		// The oracle: the same bytes through a generic decoder.
		var want map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		str := func(m map[string]any, name string) string { s, _ := m[name].(string); return s }
		for name, gotValue := range map[string]string{
			"appid": got.AppID, "contract_display_account": got.ContractDisplayAccount, "contract_id": got.ContractID,
			"contract_state": string(got.ContractState), "mchid": got.MchID, "openid": got.OpenID,
			"out_contract_code": got.OutContractCode, "sub_appid": got.SubAppID, "sub_openid": got.SubOpenID,
		} {
			if gotValue != str(want, name) {
				t.Errorf("%s decoded as %q, want %q", name, gotValue, str(want, name))
			}
		}
		if n := want["service_id"].(json.Number).String(); strconv.FormatInt(got.ServiceID, 10) != n {
			t.Errorf("service_id decoded as %d, want %s", got.ServiceID, n)
		}
		sameTime(t, "contract_signed_time", got.ContractSignedTime, str(want, "contract_signed_time"))
		info, _ := want["contract_terminate_info"].(map[string]any)
		switch {
		case (info == nil) != (got.ContractTerminateInfo == nil):
			t.Errorf("contract_terminate_info decoded as %+v, want %v", got.ContractTerminateInfo, info)
		case info != nil:
			gi := got.ContractTerminateInfo
			if string(gi.ContractTerminationMode) != str(info, "contract_termination_mode") || gi.ContractTerminationRemark != str(info, "contract_termination_remark") {
				t.Errorf("contract_terminate_info decoded as %+v, want %v", gi, info)
			}
			if s := str(info, "contract_terminated_time"); s != "" {
				sameTime(t, "contract_terminated_time", gi.ContractTerminatedTime, s)
			} else if !gi.ContractTerminatedTime.IsZero() {
				t.Errorf("contract_terminated_time decoded as %v, want none", gi.ContractTerminatedTime)
			}
		}
		if t.Failed() {
			t.Logf("answer: %s", data)
		}
		roundTrip(t, data)
	})
}

// roundTrip decodes data into the response type; what decodes must
// re-encode, and the re-encoded answer decode and encode again byte for byte.
func roundTrip(t *testing.T, data []byte) {
	t.Helper()
	var first passwordexemptcontract.QueryByCodeResponse
	if json.Unmarshal(data, &first) != nil {
		return
	}
	a, err := json.Marshal(first)
	if err != nil {
		return // a decoded time outside what RFC 3339 can write
	}
	var second passwordexemptcontract.QueryByCodeResponse
	if err := json.Unmarshal(a, &second); err != nil {
		t.Fatalf("re-encoded answer %s does not decode: %v", a, err)
	}
	b, _ := json.Marshal(second)
	if !bytes.Equal(a, b) {
		t.Fatalf("unstable round trip:\n%s\n%s", a, b)
	}
}

// rfc3339 writes a time between the years 1 and 9999, with nanoseconds, in a
// zone offset by less than a day.
func rfc3339(seconds int64, nanos uint32, offsetMinutes int16) string {
	const first, last = -62135596800, 253402300799 // 0001-01-01, 9999-12-31T23:59:59, UTC
	seconds = first + (seconds%(last-first+1)+(last-first+1))%(last-first+1)
	zone := time.FixedZone("", int(offsetMinutes)%(24*60)*60)
	t := time.Unix(seconds, int64(nanos%1e9)).UTC()
	if y := t.In(zone).Year(); y < 1 || y > 9999 {
		zone = time.UTC
	}
	return t.In(zone).Format(time.RFC3339Nano)
}

// sameTime checks that a decoded time is the instant, and the zone offset,
// that text says.
func sameTime(t *testing.T, name string, got time.Time, text string) {
	t.Helper()
	want, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		t.Fatalf("%s: the oracle cannot parse %q: %v", name, text, err)
	}
	_, gotOffset := got.Zone()
	_, wantOffset := want.Zone()
	if !got.Equal(want) || gotOffset != wantOffset {
		t.Errorf("%s decoded as %v, want %v", name, got, want)
	}
}
