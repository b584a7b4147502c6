package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"
)

// objectOracle is what Object, Member and Keys promise, written with
// encoding/json's own map decoding.
func objectOracle(data []byte, required []string) (map[string]json.RawMessage, string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, "", err
	}
	if obj == nil {
		return nil, "", errors.New("null, not an object")
	}
	for _, name := range required {
		if v, ok := obj[name]; !ok || isNull(v) {
			return nil, name, wechatpay.ErrMissingField
		}
	}
	return obj, "", nil
}

// checkMembers compares Object, Member and Keys with the oracle on data.
func checkMembers(t *testing.T, data []byte, required []string) {
	t.Helper()
	want, missing, wantErr := objectOracle(data, required)
	obj, err := Object(data, "f", required...)
	var de *wechatpay.DecodeError
	switch {
	case wantErr == nil && err != nil:
		t.Fatalf("Object(%q, %q) = %v; encoding/json reads an object holding them", data, required, err)
	case wantErr != nil && !errors.As(err, &de):
		t.Fatalf("Object(%q, %q) = %v; want a DecodeError (%v)", data, required, err, wantErr)
	case missing != "" && (de.Field != "f."+missing || !errors.Is(err, wechatpay.ErrMissingField)):
		t.Fatalf("Object(%q, %q) = %v; want %s missing", data, required, err, missing)
	case wantErr != nil && missing == "" && (de.Field != "f" || de.Err.Error() != wantErr.Error()):
		t.Fatalf("Object(%q, %q) = %v; want encoding/json's %v", data, required, err, wantErr)
	}
	if wantErr != nil {
		return
	}
	names := append([]string{"", "a", "b", "é", "a\u0000"}, required...)
	for name := range want {
		names = append(names, name)
	}
	for _, name := range names {
		v, ok := Member(obj, name)
		w, wok := want[name]
		if wok && isNull(w) {
			wok = false
		}
		if ok != wok || ok && !bytes.Equal(v, w) {
			t.Fatalf("Member(%q, %q) = %q, %v; encoding/json: %q, %v", data, name, v, ok, w, wok)
		}
		_, has := want[name]
		if err := Keys(obj, "f", name); (err == nil) != has {
			t.Fatalf("Keys(%q, %q) = %v; encoding/json has it: %v", data, name, err, has)
		}
	}
}

func TestMembersAgreeWithEncodingJSON(t *testing.T) {
	for _, c := range []struct {
		data     string
		required []string
	}{
		{`{"a":1,"b":"x"}`, []string{"a", "b"}},
		{` { "a" : { "b" : [1, {"c": "}"}] } , "b" : "\"" } `, []string{"a", "b"}},
		{`{"a":1,"a":null}`, []string{"a"}},
		{`{"a":null,"a":1}`, []string{"a"}},
		{`{"\u0061":2}`, []string{"a"}},
		{`{"\\u0061":2}`, []string{"a"}},
		{"{\"\xff\":1}", []string{"\ufffd"}},
		{`{"é":true,"b":false}`, []string{"é", "b"}},
		{`{"A":1}`, []string{"a"}},
		{`{}`, nil},
		{`{"a":[]}`, []string{"a"}},
		{`null`, nil},
		{` null `, []string{"a"}},
		{`[{"a":1}]`, []string{"a"}},
		{`"a"`, nil},
		{`{"a":1`, nil},
		{`{"a":1}}`, nil},
		{``, nil},
		{`{"a":1e5,"b":-0.5,"c":true}`, []string{"a", "b", "c"}},
	} {
		checkMembers(t, []byte(c.data), c.required)
	}
	// More than 64 required names takes the other path.
	var sb strings.Builder
	var many []string
	sb.WriteString("{")
	for i := range 70 {
		name := "n" + strings.Repeat("x", i)
		many = append(many, name)
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`"` + name + `":1`)
	}
	sb.WriteString("}")
	checkMembers(t, []byte(sb.String()), many)
	checkMembers(t, []byte(strings.Replace(sb.String(), `"nxxx":1`, `"nxxx":null`, 1)), many)
}

// FuzzMembers: on any bytes, Object, Member and Keys agree with
// encoding/json's map decoding. The shaped input puts the fuzzed name and
// value into an object beside others, so most inputs reach the lookups.
func FuzzMembers(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":{"c":[1,2]}}`), "a", `"x"`)
	f.Add([]byte(`{"a\u0000":null}`), "b", `null`)
	f.Add([]byte(`[1]`), "\\", `{"}":"{"}`)
	f.Fuzz(func(t *testing.T, data []byte, name, value string) {
		checkMembers(t, data, []string{name, "a"})
		key, err := json.Marshal(name)
		if err != nil {
			return
		}
		shaped := []byte(`{"a":{"b":[1,"]"]},` + string(key) + `:` + value + `, "z" : null}`)
		checkMembers(t, shaped, []string{name, "a", "z"})
	})
}

func BenchmarkObject(b *testing.B) {
	data := []byte(`{"mchid":"1230000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000","contract_terminate_info":{"contract_termination_mode":"MERCHANT_TERMINATE","contract_terminated_time":"2020-09-10T10:00:00+08:00"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Object(data, "", "mchid", "service_id", "out_contract_code"); err != nil {
			b.Fatal(err)
		}
	}
}
